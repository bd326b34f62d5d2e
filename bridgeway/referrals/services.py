"""Writes for referrals. Each validates everything first (messages name the field), then writes
in one transaction with its audit event (codes and ids only). A refused action writes nothing."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgeway.cases import services as cases
from bridgeway.orgs.codes import OrgType, Role, Service, is_country
from bridgeway.orgs.models import Organisation, OrganisationService
from bridgeway.orgs.queries import organisations_visible_to, roles_in
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.protection.models import ConsentPurpose
from bridgeway.referrals.codes import (
    DeclineReason,
    Kind,
    ReferralReason,
    Section,
    Status,
    Urgency,
)
from bridgeway.referrals.models import Referral, ReferralSettings
from bridgeway.referrals.queries import recipient_roles, settings_for

if TYPE_CHECKING:
    from bridgeway.accounts.models import User
    from bridgeway.cases.models import Case

_REF = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_OWN_DEADLINE = timedelta(days=30)
SENDER_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
SETTINGS_ROLES = frozenset({Role.ORG_ADMIN, Role.SUPERVISOR})
# One open referral per case and recipient: while one waits for an answer or is being worked
# on, sending the same case there again only repeats the notification.
OPEN_STATUSES = (Status.PENDING, Status.ACCEPTED)


def _reference() -> str:
    while True:
        ref = "R-" + "".join(secrets.choice(_REF) for _ in range(7))
        if not Referral.objects.filter(reference=ref).exists():
            return ref


# --- deadlines ---------------------------------------------------------------------------------


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `start`, at the same time of day."""
    current = timezone.localtime(start)
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def default_deadline(*, org: Organisation, urgency: str, now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    conf = settings_for(org)
    if urgency == Urgency.URGENT:
        return now + timedelta(hours=conf.urgent_hours)
    if urgency == Urgency.LOW:
        return add_working_days(now, conf.low_working_days)
    return add_working_days(now, conf.normal_working_days)


@transaction.atomic
def referral_settings_set(*, org: Organisation, actor: User, urgent_hours: int, normal_working_days: int,
                          low_working_days: int) -> ReferralSettings:
    if not roles_in(actor, org) & SETTINGS_ROLES:
        raise PermissionDenied(_("Only administrators and supervisors of this organisation can "
                                 "change its response times."))
    errors: dict[str, list[str]] = {}
    if not isinstance(urgent_hours, int) or not 1 <= urgent_hours <= 72:
        errors["urgent_hours"] = [_("Enter a number of hours from 1 to 72.")]
    for field, value in (("normal_working_days", normal_working_days),
                         ("low_working_days", low_working_days)):
        if not isinstance(value, int) or not 1 <= value <= 30:
            errors[field] = [_("Enter a number of working days from 1 to 30.")]
    if not errors and normal_working_days > low_working_days:
        errors["low_working_days"] = [_("Low urgency cannot have less time than normal "
                                        "urgency.")]
    if errors:
        raise ValidationError(errors)
    conf, _created = ReferralSettings.objects.get_or_create(organisation=org)
    conf.urgent_hours = urgent_hours
    conf.normal_working_days = normal_working_days
    conf.low_working_days = low_working_days
    conf.save()
    audit_record(action="referrals.settings.changed", actor=actor, organisation=org, obj=conf,
                 payload={"urgent_hours": urgent_hours, "normal_working_days": normal_working_days,
                          "low_working_days": low_working_days})
    return conf


# --- sending -----------------------------------------------------------------------------------

@transaction.atomic
def referral_send(*, case: Case, actor: User, recipient: Organisation, sections: list[str], reason: str,
                  urgency: str, services: list[str], reason_text: str = "",
                  deadline: datetime | None = None, override_reason: str = "",
                  offplatform: dict | None = None,
                  record_consent: protection.ConsentData | None = None) -> Referral:
    """Refers a case. Needs recorded consent for referral to that kind of organisation, or a
    supervisor's override with a reason (audited). `record_consent`: the consent the person
    gives now, recorded first (the consent page's service) and kept only if the referral is
    sent.

    `offplatform` (name, country, org_type, contact, language) instead of `recipient`: an
    organisation that is not on the platform; the sender hands it an encrypted package
    (referrals.package) instead of the recipient reading the sections here."""
    sender = case.organisation
    my_roles = roles_in(actor, sender)
    if not my_roles & SENDER_ROLES:
        raise PermissionDenied(_("Only caseworkers and supervisors of this organisation can "
                                 "refer its cases."))
    # The case row is locked while the referral is written, as closing the case locks it while
    # checking for open referrals: a case cannot close with a referral sent in between.
    case = cases.case_locked(case)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if case.subject_id is None or case.subject.is_erased:
        errors["case"] = [_("Register the person first: an anonymous first contact cannot be "
                            "referred.")]
    elif not case.is_open:
        errors["case"] = [_("This case is closed; reopen it to refer it.")]
    if offplatform is not None:
        offplatform = _offplatform_errors(offplatform, errors)
        recipient_type = offplatform["org_type"]
        recipient_country = offplatform["country"]
    else:
        recipient_type = getattr(recipient, "org_type", "")
        recipient_country = getattr(recipient, "country", "")
    if offplatform is not None:
        pass  # checked by _offplatform_errors
    elif recipient is None or not organisations_visible_to(actor).filter(
            pk=recipient.pk, is_active=True).exists():
        errors["recipient"] = [_("Choose an organisation from the directory.")]
    elif recipient.pk == sender.pk:
        errors["recipient"] = [_("You cannot refer a case to your own organisation.")]
    elif recipient.org_type == OrgType.CSO_NETWORK:
        errors["recipient"] = [_("A CSO network does not take referrals; choose one of its "
                                 "members.")]
    elif open_one := Referral.objects.filter(
            case=case, recipient=recipient, status__in=OPEN_STATUSES).first():
        # Checked under the case's row lock (above), so two sends at once cannot both pass.
        errors["recipient"] = [_("This case already has an open referral to %(org)s "
                                 "(%(reference)s, %(status)s). Wait for its answer or revoke "
                                 "it before referring the case there again.")
                               % {"org": recipient.name, "reference": open_one.reference,
                                  "status": open_one.get_status_display()}]
    sections = list(dict.fromkeys(sections or []))
    if not sections:
        errors["sections"] = [_("Choose at least one section to share.")]
    elif bad := [s for s in sections if s not in Section.values]:
        errors["sections"] = [_("Unknown section(s): %(codes)s.") % {"codes": ", ".join(bad)}]
    if reason not in ReferralReason.values:
        errors["reason"] = [_("Choose the reason for the referral.")]
    elif reason == ReferralReason.OTHER and not (reason_text or "").strip():
        errors["reason_text"] = [_("Describe the reason when it is 'Other'.")]
    if len(reason_text or "") > 2000:
        errors["reason_text"] = [_("The reason is longer than 2,000 characters.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose the urgency.")]
    services = list(dict.fromkeys(services or []))
    if not services:
        errors["services"] = [_("Choose at least one service you request.")]
    elif bad := [s for s in services if s not in Service.values]:
        errors["services"] = [_("Unknown service(s): %(codes)s.") % {"codes": ", ".join(bad)}]
    elif "recipient" not in errors and offplatform is None:
        offered = set(OrganisationService.objects.filter(organisation=recipient)
                      .values_list("service", flat=True))
        missing = [str(Service(s).label) for s in services if s not in offered]
        if missing:
            errors["services"] = [_("%(org)s does not offer: %(services)s.")
                                  % {"org": recipient.name, "services": ", ".join(missing)}]
    if deadline is not None:
        if deadline <= now:
            errors["deadline"] = [_("The deadline is in the past; choose a time in the future.")]
        elif deadline > now + MAX_OWN_DEADLINE:
            errors["deadline"] = [_("The deadline can be at most 30 days ahead.")]
    consent = None
    override = (override_reason or "").strip()
    if not errors and record_consent is not None:
        protection.consents_record(subject=case.subject, actor=actor, data=record_consent)
    if not errors:
        try:
            consent = protection.require_consent(subject=case.subject,
                                                 purpose=ConsentPurpose.REFERRAL,
                                                 recipient_type=recipient_type)
        except PermissionDenied as exc:
            if not override:
                errors["consent"] = [
                    _("%(reason)s Record the person's consent to a referral to this kind of "
                      "organisation, or ask a supervisor to override with a reason.")
                    % {"reason": str(exc)}]
            elif Role.SUPERVISOR not in my_roles:
                errors["override_reason"] = [_("Only a supervisor can refer without consent.")]
        else:
            override = ""  # consent is recorded: nothing to override
        if len(override) > 2000:
            errors["override_reason"] = [_("The reason is longer than 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        reference=_reference(), case=case, subject=case.subject, sender=sender,
        recipient=recipient, created_by=actor,
        kind=Kind.NRM if recipient_country == sender.country else Kind.TRM,
        sections=[s for s in Section.values if s in sections], services=services,
        reason=reason, urgency=urgency, status=Status.PENDING,
        deadline=deadline or default_deadline(org=sender, urgency=urgency, now=now),
        consent=consent, override_by=actor if override else None)
    referral.reason_text = (reason_text or "").strip() or None
    referral.override_reason = override or None
    if offplatform is not None:
        referral.offplatform_name = offplatform["name"]
        referral.offplatform_country = offplatform["country"]
        referral.offplatform_type = offplatform["org_type"]
        referral.offplatform_contact = offplatform["contact"] or None
        referral.package_language = offplatform["language"]
    referral.save()
    if override:
        audit_record(action="referrals.referral.consent_overridden", actor=actor,
                     organisation=sender, obj=referral,
                     payload={"recipient_type": recipient_type, "case": str(case.pk)})
    audit_record(action="referrals.referral.sent", actor=actor, organisation=sender,
                 obj=referral, payload={
                     "reference": referral.reference, "case": str(case.pk),
                     "recipient": recipient.pk if recipient else None,
                     "offplatform": offplatform is not None, "kind": referral.kind,
                     "sections": referral.sections, "services": services, "reason": reason,
                     "urgency": urgency, "consent": str(consent.pk) if consent else None,
                     "override": bool(override)})
    from bridgeway.referrals.reminders import announce

    announce(referral, "sent", actor)
    return referral


def _offplatform_errors(data: dict, errors: dict) -> dict:
    """Checks the details of an organisation not on the platform; returns them cleaned."""
    from django.conf import settings

    clean = {k: (data.get(k) or "").strip() for k in ("name", "country", "org_type", "contact",
                                                      "language")}
    clean["country"] = clean["country"].upper()
    if not clean["name"]:
        errors["offplatform_name"] = [_("Enter the name of the organisation.")]
    elif len(clean["name"]) > 200:
        errors["offplatform_name"] = [_("The name is longer than 200 characters.")]
    if not is_country(clean["country"]):
        errors["offplatform_country"] = [_("Choose the organisation's country.")]
    if clean["org_type"] not in OrgType.values or clean["org_type"] == OrgType.CSO_NETWORK:
        errors["offplatform_type"] = [_("Choose the kind of organisation.")]
    if not clean["contact"]:
        errors["offplatform_contact"] = [_("Enter a contact e-mail or phone of the "
                                           "organisation.")]
    elif len(clean["contact"]) > 500:
        errors["offplatform_contact"] = [_("The contact is longer than 500 characters.")]
    clean["language"] = clean["language"] or settings.LANGUAGE_CODE
    if clean["language"] not in dict(settings.LANGUAGES):
        errors["package_language"] = [_("Choose one of the platform's languages.")]
    return clean


# --- the lifecycle -----------------------------------------------------------------------------

_REFUSALS = {
    Status.ACCEPTED: gettext_lazy("This referral was already accepted."),
    Status.DECLINED: gettext_lazy("This referral was declined; it can no longer change."),
    Status.COMPLETED: gettext_lazy("This referral is completed; it can no longer change."),
    Status.REVOKED: gettext_lazy("The sender revoked this referral; it can no longer be answered."),
    Status.EXPIRED: gettext_lazy("This referral expired without an answer; the sender can send a new one."),
    Status.PENDING: gettext_lazy("This referral has not been accepted yet."),
    Status.HANDED_OVER: gettext_lazy("This referral was handed over as a package; the sender "
                                     "completes it."),
}


def _locked(referral: Referral, allowed: tuple[str, ...]) -> Referral:
    # of=self: the recipient is nullable (off-platform), and PostgreSQL cannot lock the
    # nullable side of an outer join.
    current = Referral.objects.select_for_update(of=("self",)).select_related(
        "case", "subject", "sender", "recipient").get(pk=referral.pk)
    if current.status not in allowed:
        raise ValidationError({"status": [str(_REFUSALS[Status(current.status)])]})
    return current


def _as_recipient(referral: Referral, actor: User) -> None:
    if not roles_in(actor, referral.recipient) & recipient_roles(referral.recipient):
        raise PermissionDenied(_("Only the receiving organisation can answer this referral."))


def _as_sender(referral: Referral, actor: User, roles: frozenset[str] = SENDER_ROLES) -> None:
    if not roles_in(actor, referral.sender) & roles:
        raise PermissionDenied(_("Only the referring organisation can do this."))


def _record(action: str, referral: Referral, actor: User | None, org: Organisation, **payload: Any) -> None:
    """Audits a step (`action`: the full code, "referrals.referral.accepted") and tells the other
    side (a link only; see reminders.py)."""
    from bridgeway.referrals.reminders import announce

    audit_record(action=action, actor=actor, organisation=org,
                 obj=referral, payload={"reference": referral.reference, **payload})
    announce(referral, action.removeprefix("referrals.referral."), actor)


@transaction.atomic
def referral_accept(*, referral: Referral, actor: User) -> Referral:
    """The recipient takes the referral on: it gets its own linked case (pseudonymous), and reads
    the shared sections through the referral while it stays accepted."""
    _as_recipient(referral, actor)
    referral = _locked(referral, (Status.PENDING,))
    now = timezone.now()
    if referral.deadline <= now:
        raise ValidationError({"status": [_("The deadline to answer this referral has passed; "
                                            "ask the sender to send it again.")]})
    linked = cases.case_open_linked(
        org=referral.recipient, actor=actor, pseudonym=referral.reference,
        exploitation_types=referral.case.exploitation_types
        if Section.VICTIM_CONTEXT in referral.sections else None)
    referral.status = Status.ACCEPTED
    referral.accepted_at = now
    referral.answered_by = actor
    referral.recipient_case = linked
    referral.save(update_fields=["status", "accepted_at", "answered_by", "recipient_case"])
    _record("referrals.referral.accepted", referral, actor, referral.recipient,
            linked_case=str(linked.pk))
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, actor: User, reason: str, text: str = "") -> Referral:
    _as_recipient(referral, actor)
    errors = {}
    if reason not in DeclineReason.values:
        errors["reason"] = [_("Choose the reason for declining.")]
    elif reason == DeclineReason.OTHER and not (text or "").strip():
        errors["text"] = [_("Describe the reason when it is 'Other'.")]
    if len(text or "") > 2000:
        errors["text"] = [_("The reason is longer than 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    referral = _locked(referral, (Status.PENDING,))
    referral.status = Status.DECLINED
    referral.declined_at = timezone.now()
    referral.answered_by = actor
    referral.decline_reason = reason
    referral.decline_text = (text or "").strip() or None
    referral.save(update_fields=["status", "declined_at", "answered_by", "decline_reason",
                                 "decline_text"])
    _record("referrals.referral.declined", referral, actor, referral.recipient, reason=reason)
    return referral


@transaction.atomic
def referral_complete(*, referral: Referral, actor: User) -> Referral:
    """Either side marks an accepted referral done; the shared sections close for the
    recipient, whose linked case keeps its own work."""
    if referral.recipient_id is None:
        # Not on the platform: the sender completes it once the package was handed over.
        _as_sender(referral, actor)
        allowed: tuple[str, ...] = (Status.HANDED_OVER,)
    elif not (roles_in(actor, referral.recipient) & recipient_roles(referral.recipient)
              or roles_in(actor, referral.sender) & SENDER_ROLES):
        raise PermissionDenied(_("Only the two organisations of this referral can complete it."))
    else:
        allowed = (Status.ACCEPTED,)
    referral = _locked(referral, allowed)
    referral.status = Status.COMPLETED
    referral.completed_at = timezone.now()
    referral.save(update_fields=["status", "completed_at"])
    org = referral.sender if roles_in(actor, referral.sender) else referral.recipient
    _record("referrals.referral.completed", referral, actor, org)
    return referral


@transaction.atomic
def referral_revoke(*, referral: Referral, actor: User) -> Referral:
    """The sender withdraws the referral: the recipient's access ends at once."""
    _as_sender(referral, actor)
    referral = _locked(referral, (Status.PENDING, Status.ACCEPTED))
    was = referral.status
    referral.status = Status.REVOKED
    referral.revoked_at = timezone.now()
    referral.save(update_fields=["status", "revoked_at"])
    _record("referrals.referral.revoked", referral, actor, referral.sender, was=was)
    return referral


@transaction.atomic
def referrals_expire(*, now: datetime | None = None) -> int:
    """Pending referrals past their deadline expire; returns how many. Run from cron/task."""
    now = now or timezone.now()
    count = 0
    for referral in Referral.objects.select_for_update().filter(
            status=Status.PENDING, deadline__lte=now,
            recipient__isnull=False).select_related("sender"):  # nobody here answers the others
        referral.status = Status.EXPIRED
        referral.expired_at = now
        referral.save(update_fields=["status", "expired_at"])
        _record("referrals.referral.expired", referral, None, referral.sender,
                recipient=referral.recipient_id)
        count += 1
    return count


@transaction.atomic
def referral_transfer(*, referral: Referral, actor: User, confirm: bool) -> Referral:
    """Hands the original case (and its person) to the recipient organisation: a separate,
    explicit act by the sender's supervisor on an accepted referral."""
    _as_sender(referral, actor, roles=frozenset({Role.SUPERVISOR}))
    if not confirm:
        raise ValidationError({"confirm": [_("Confirm that the case and the person's data move "
                                             "to the other organisation.")]})
    referral = _locked(referral, (Status.ACCEPTED,))
    others = Referral.objects.filter(case=referral.case, status__in=(
        Status.PENDING, Status.ACCEPTED)).exclude(pk=referral.pk)
    if others.exists():
        raise ValidationError({"status": [_("Other referrals of this case are still open (%(refs)s); "
                                            "revoke or complete them first.")
                                          % {"refs": ", ".join(o.reference for o in others)}]})
    cases.case_transfer(case=referral.case, to_org=referral.recipient, actor=actor)
    now = timezone.now()
    referral.status = Status.COMPLETED
    referral.completed_at = now
    referral.transferred_at = now
    referral.save(update_fields=["status", "completed_at", "transferred_at"])
    for org in (referral.sender, referral.recipient):
        _record("referrals.referral.transferred", referral, actor, org,
                case=str(referral.case_id))
    return referral
