"""Referrals' words in core's label registry (core.labels): statuses, urgencies, reasons,
sections, how the audit log names a referral (its reference, linked) and a message of its
thread (the referral it belongs to), and the access log's sentences for the referral screens."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import (
    register_codes,
    register_details,
    register_objects,
    register_references,
    register_sentences,
    register_views,
)
from bridgeway.referrals.codes import (
    DeclineReason,
    Kind,
    ReferralReason,
    Section,
    Status,
    Urgency,
)
from bridgeway.referrals.models import Referral, ReferralMessage

register_codes("referrals.status", Status)
register_codes("referrals.urgency", Urgency)
register_codes("referrals.reason", ReferralReason)
register_codes("referrals.decline_reason", DeclineReason)
register_codes("referrals.section", Section)
register_codes("referrals.kind", Kind)


def _uuids(ids: list[str]) -> list[str]:
    import uuid

    good = []
    for value in ids:
        try:
            good.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return good


def _referrals(ids: list[str]) -> dict[str, tuple[str, str]]:
    return {str(pk): (str(_("referral %(reference)s") % {"reference": ref}),
                      reverse("referrals:detail", args=[pk]))
            for pk, ref in Referral.objects.filter(pk__in=_uuids(ids))
            .values_list("pk", "reference")}


def _messages(ids: list[str]) -> dict[str, tuple[str, str]]:
    rows = ReferralMessage.objects.filter(pk__in=_uuids(ids)).values_list(
        "pk", "referral_id", "referral__reference")
    return {str(pk): (str(_("a message on referral %(reference)s") % {"reference": ref}),
                      reverse("referrals:detail", args=[referral]))
            for pk, referral, ref in rows}


register_objects("referrals.referral", _referrals)
register_objects("referrals.referralmessage", _messages)

register_details({
    "urgency": (_("Urgency"), "referrals.urgency"),
    "sections": (_("Shared"), "referrals.section"),
    "recipient": (_("Recipient"), "orgs.organisation"),
    "recipient_type": (_("Kind of recipient"), "orgs.org_type"),
    "referral": (_("Referral"), "referrals.referral"),
    "override": (_("Sent without consent (override)"), "bool"),
    "offplatform": (_("To an organisation not on the platform"), "bool"),
})
register_details({"reason": (_("Reason"), "referrals.decline_reason")},
                 action="referrals.referral.declined")
register_details({"reason": (_("Reason"), "referrals.reason")}, action="referrals.referral.sent")

register_sentences({
    "referrals.referral.sent": _("%(who)s sent %(subject)s"),
    "referrals.referral.accepted": _("%(who)s accepted %(subject)s"),
    "referrals.referral.declined": _("%(who)s declined %(subject)s"),
    "referrals.referral.completed": _("%(who)s completed %(subject)s"),
    "referrals.referral.revoked": _("%(who)s revoked %(subject)s"),
    "referrals.message.posted": _("%(who)s posted %(subject)s"),
})

register_views({
    "referrals:list": _("%(who)s opened the referral list"),
    "referrals:detail": _("%(who)s opened a referral"),
    "referrals:new": _("%(who)s opened the referral form"),
    "referrals:document": _("%(who)s downloaded a document of a referral"),
    "referrals:message-attachment": _("%(who)s downloaded an attachment of a referral message"),
    "referrals:package": _("%(who)s downloaded a referral package"),
})


@register_references
def _referral_reference(text: str) -> list[tuple[str, str]]:
    found = []
    for pk, subject in Referral.objects.filter(reference__iexact=text).values_list(
            "pk", "subject_id"):
        found.append(("referrals.referral", str(pk)))
        if subject:
            found.append(("protection.datasubject", str(subject)))
    return found

register_sentences({
    "referrals.package.handed_over": _("%(who)s handed over the package of %(subject)s"),
    "referrals.referral.consent_overridden": _("%(who)s sent %(subject)s without consent (override)"),
    "referrals.referral.expired": _("%(subject)s expired"),
    "referrals.referral.transferred": _("%(who)s moved %(subject)s with its case"),
    "referrals.settings.changed": _("%(who)s changed the referral settings"),
})
