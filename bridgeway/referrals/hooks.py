"""Referrals' part in other modules: a close blocker for cases, panels on the case page, the
subject-access export and erasure, the menu entries."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgeway.cases.registry import register_close_blocker, register_detail_panel
from bridgeway.core.labels import labels
from bridgeway.core.registry import register_menu
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import user_roles
from bridgeway.protection.registry import register_erasure, register_export
from bridgeway.referrals import queries
from bridgeway.referrals.codes import ACTIVE_STATUSES
from bridgeway.referrals.models import Referral


@register_close_blocker
def _open_referrals_block_closing(case) -> str | None:
    refs = list(Referral.objects.filter(case=case, status__in=ACTIVE_STATUSES)
                .values_list("reference", flat=True))
    if not refs:
        return None
    return _("Referral(s) %(refs)s are still pending or accepted; revoke or complete them before "
             "closing the case.") % {"refs": ", ".join(refs)}


@register_detail_panel
def _case_panel(request, case) -> str:
    # The viewer can see this case (the case page checked it): they follow its referrals.
    sent, linked = queries.case_page_referrals(request.user, case)
    may_refer = bool(case.subject_id and case.is_open and not case.is_first_contact
                     and linked is None)
    # No request: the panel needs no context processor (menu, messages, user), and running
    # them a second time for the panel cost more than the panel itself.
    return render_to_string("referrals/_case_panel.html", {
        "case": case, "sent": sent, "may_refer": may_refer, "linked": linked,
        "shared": queries.shared_sections(linked) if linked else None,
    })


@register_export
def _export(subject) -> list[dict]:
    rows = []
    for r in Referral.objects.filter(subject=subject).select_related("sender", "recipient", "case"):
        rows.append({
            "Reference": r.reference, "Case": r.case.reference, "From": r.sender.name,
            "To": r.recipient_name, "Kind": r.get_kind_display(), "Status": r.get_status_display(),
            "Shared sections": ", ".join(labels(r.sections, "referrals.section")),
            "Services requested": ", ".join(labels(r.services, "orgs.service")),
            "Reason": r.get_reason_display(), "Reason (text)": r.reason_text or "",
            "Urgency": r.get_urgency_display(), "Sent": r.sent_at.isoformat(),
            "Answer due by": r.deadline.isoformat(),
            "Consent": _("recorded") if r.consent_id else (_("overridden") if r.override_by_id
                                                            else ""),
            "Override reason": r.override_reason or "",
            "Declined because": r.get_decline_reason_display() if r.decline_reason else "",
            "Decline note": r.decline_text or "",
        })
    return [{"title": "Referrals", "rows": rows}]


@register_erasure
def _erase(subject) -> None:
    Referral.objects.filter(subject=subject).update(reason_text=None, override_reason=None,
                                                    decline_text=None, offplatform_contact=None)


@register_menu(30)
def _menu(user) -> list[tuple]:
    roles = user_roles(user)
    items = []
    if roles & {Role.CASEWORKER, Role.SUPERVISOR, Role.AGENCY_POC, Role.ORG_ADMIN}:
        items.append((reverse("referrals:list"), gettext_lazy("Referrals"), "referrals"))
    if roles & {Role.SUPERVISOR, Role.ORG_ADMIN, Role.NETWORK_COORDINATOR}:
        items.append((reverse("referrals:statistics"), gettext_lazy("Referral statistics"),
                      "referral_statistics"))
    return items
