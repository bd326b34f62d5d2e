"""Writes for case work. Each validates first (messages name the field), writes in one
transaction and records an audit event with codes only."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases import identification
from bridgeway.cases.codes import (
    DECISION_ORG_BY_TYPE,
    FORMAL_DECISION_ORGS,
    SEXUAL_EXPLOITATION,
    CaseStatus,
    CloseReason,
    ContactChannel,
    DecisionOrg,
    Exploitation,
    Gender,
    IndicatorSource,
    Relationship,
    ServiceOutcome,
    TraffickingStatus,
)
from bridgeway.cases.models import (
    Assessment,
    AssessmentIndicator,
    Case,
    CaseNote,
    CaseSettings,
    CaseTask,
    Decision,
    IndicatorSet,
    Perpetrator,
    Person,
    PlanObjective,
    ServiceDelivery,
    TraffickingEvent,
)
from bridgeway.cases.queries import can_work_on
from bridgeway.orgs.codes import Role, Service, is_country
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import roles_in
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.protection.blind import clean as clean_text
from bridgeway.protection.models import DataSubject

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

_REF = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHILD_AGE = 18


def case_locked(case: Case) -> Case:
    """The case row read again and locked until the caller's transaction ends (organisation and
    subject joined, only the case row locked): for a write in another app that must not race a
    write here, such as a referral sent while the case closes."""
    return Case.objects.select_for_update(of=("self",)).select_related(
        "organisation", "subject").get(pk=case.pk)


def _reference() -> str:
    while True:
        ref = "C-" + "".join(secrets.choice(_REF) for _ in range(7))
        if not Case.objects.filter(reference=ref).exists():
            return ref


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _check_case_role(actor: User, org: Organisation) -> None:
    if not roles_in(actor, org) & {Role.CASEWORKER, Role.SUPERVISOR}:
        raise PermissionDenied(_("Only caseworkers and supervisors of this organisation can do "
                                 "this."))


def _person_errors(case: Case, field: str) -> dict[str, list[str]]:
    """Rows holding personal data are encrypted under the person's data key: an anonymous first
    contact has none until it becomes a full case."""
    if case.subject_id is None:
        return {field: [_("Register the person first: this is personal data.")]}
    return {}


def _birth_bound(case: Case) -> date | None:
    """The earliest day the person can have lived: their date of birth, or, when only an age
    was given at intake, the earliest birth date that age allows."""
    # After erasure nothing can be decrypted (and nothing about the person is left to check).
    readable = case.subject_id is not None and not case.subject.is_erased
    person = Person.objects.filter(case=case).first() if readable else None
    if person is not None and person.birth_date:
        return person.birth_date
    if case.age_at_intake is not None and case.opened_on:
        return _years_before(case.opened_on, case.age_at_intake + 1) + timedelta(days=1)
    return None


def date_errors(field: str, value: date | None, *, born: date | None = None, happened: bool = False,
                not_before: tuple[tuple[date | None, str], ...] = ()) -> dict[str, list[str]]:
    """The one check of a date given to a case service. `happened`: the date is of something
    that has already taken place, so it cannot be in the future (a due date can). `born`: the
    person's date of birth (or the earliest their age allows); nothing about them happens
    before it. `not_before`: (other date, message) pairs this date must not precede, e.g. a
    decision and its assessment. Returns {field: [message]} or {}."""
    if value is None:
        return {}
    if not isinstance(value, date):
        return {field: [_("Enter a valid date.")]}
    if happened and value > timezone.localdate():
        return {field: [_("The date is in the future.")]}
    if born and value < born:
        return {field: [_("The date is before the person was born.")]}
    for other, message in not_before:
        if other and value < other:
            return {field: [message]}
    return {}


def _validate_person(*, birth_date: date | None, age: int | None, opened_on: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if birth_date and birth_date > today:
        errors["birth_date"] = [_("The date of birth is in the future.")]
    if birth_date and birth_date.year < 1900:
        errors["birth_date"] = [_("The date of birth is before 1900.")]
    if age is not None and not 0 <= age <= 120:
        errors["age"] = [_("Enter an age from 0 to 120.")]
    if birth_date and age is not None and "birth_date" not in errors and "age" not in errors:
        if abs(age_on(birth_date, opened_on) - age) > 1:
            errors["age"] = [_("The age (%(age)s) does not match the date of birth, which gives "
                               "%(computed)s.") % {"age": age,
                                                   "computed": age_on(birth_date, opened_on)}]
    errors.update(date_errors("opened_on", opened_on, happened=True,
                              born=None if "birth_date" in errors else birth_date))
    return errors


def _validate_coded(data: dict) -> dict[str, list[str]]:
    """Checks every coded case field present in `data` against its value list."""
    from bridgeway.cases.codes import (
        ControlMethod,
        ForcedLabourIndustry,
        RecruitmentMethod,
        Relationship,
    )

    errors: dict[str, list[str]] = {}
    bad = [c for c in data.get("exploitation_types") or [] if c not in Exploitation.values]
    if bad:
        errors["exploitation_types"] = [_("Unknown type(s) of exploitation: %(codes)s.")
                                        % {"codes": ", ".join(map(str, bad))}]
    for field, allowed in (("recruitment_methods", RecruitmentMethod.values),
                           ("control_methods", ControlMethod.values)):
        bad = [c for c in data.get(field) or [] if c not in allowed]
        if bad:
            errors[field] = [_("Unknown code(s): %(codes)s.")
                             % {"codes": ", ".join(map(str, bad))}]
    if data.get("relationship_to_trafficker") and \
            data["relationship_to_trafficker"] not in Relationship.values:
        errors["relationship_to_trafficker"] = [_("Unknown relationship.")]
    for field in ("citizenship", "recruitment_country", "exploitation_country"):
        if data.get(field) and not is_country(data[field]):
            errors[field] = [_("Unknown country code %(code)r.") % {"code": data[field]}]
    if data.get("gender") and data["gender"] not in Gender.values:
        errors["gender"] = [_("Unknown gender code.")]
    if data.get("forced_labour_industry") and \
            data["forced_labour_industry"] not in ForcedLabourIndustry.values:
        errors["forced_labour_industry"] = [_("Unknown industry.")]
    return errors


@dataclass
class PersonData:
    first_name: str
    second_name: str = ""
    birth_date: date | None = None
    age: int | None = None
    gender: str = ""
    citizenship: str = ""
    phone: str = ""
    email: str = ""
    address: dict | None = None  # ADDRESS_PARTS
    identity_documents: list | None = None  # [{"kind": ..., "number": ...}]


def _clean_address(address: Any) -> Any:
    """Address parts cleaned like names; anything of another shape is left for validation to
    refuse, naming the field."""
    if isinstance(address, dict) and not set(address) - set(ADDRESS_PARTS) and \
            all(isinstance(v, str | None) for v in address.values()):
        return {k: clean_text(address.get(k) or "") for k in ADDRESS_PARTS}
    return address


def _clean_documents(documents: Any) -> Any:
    if isinstance(documents, list) and all(
            isinstance(d, dict) and isinstance(d.get("number"), str) for d in documents):
        return [{**d, "number": clean_text(d["number"])} for d in documents]
    return documents


def _cleaned(person: PersonData) -> PersonData:
    """The person as stored: names and address cleaned of invisible characters (see
    protection.blind.clean), phone and e-mail trimmed. Validation sees what will be stored."""
    return replace(person, first_name=clean_text(person.first_name),
                   second_name=clean_text(person.second_name),
                   phone=clean_text(person.phone), email=clean_text(person.email),
                   address=_clean_address(person.address),
                   identity_documents=_clean_documents(person.identity_documents))


def contact_errors(org: Organisation, *, phone: str, email: str) -> tuple[dict[str, list[str]], str]:
    """Checks a person's phone and e-mail. The phone is parsed with the organisation's country
    as the default region (a number with a leading + or 00 keeps its own) and returned in
    E.164, the one form stored and indexed; an impossible number or a malformed address is an
    error naming the field."""
    import phonenumbers
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}
    e164 = ""
    if phone:
        region = (getattr(org, "country", "") or "").upper() or None
        try:
            if len(phone) > 40:
                raise phonenumbers.NumberParseException(0, "too long")
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            errors["phone"] = [_("This is not a phone number we can dial. Give it with the "
                                 "country code (e.g. +40 721 234 567), or as dialled in %(country)s.")
                               % {"country": region or "?"}]
        else:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if email:
        try:
            if len(email) > 200:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    return errors, e164


def _validate_intake(*, org: Organisation, person: PersonData, opened_on: date,
                     exploitation_types: list[str] | None) -> None:
    """Validates a cleaned person (see `_cleaned`) and puts the phone in E.164."""
    errors: dict[str, list[str]] = {}
    if not person.first_name:
        errors["first_name"] = [_("Enter at least the first name the person gave.")]
    for field in ("first_name", "second_name"):
        if len(getattr(person, field)) > 100:
            errors[field] = [_("The name is longer than 100 characters.")]
    errors.update(_validate_person(birth_date=person.birth_date, age=person.age,
                                   opened_on=opened_on))
    errors.update(_validate_coded({"gender": person.gender, "citizenship": person.citizenship,
                                   "exploitation_types": exploitation_types}))
    contact, person.phone = contact_errors(org, phone=person.phone, email=person.email)
    errors.update(contact)
    errors.update(_address_documents_errors(person.address, person.identity_documents))
    if errors:
        raise ValidationError(errors)


def _attach_person(*, case: Case, actor: User, person: PersonData) -> None:
    """Registers the person (fresh data key, blind indexes) and fills the case's coded fields."""
    full_name = " ".join(p for p in [person.first_name, person.second_name] if p)
    subject = protection.subject_create(org=case.organisation, actor=actor,
                                        display_name=full_name)
    age = age_on(person.birth_date, case.opened_on) if person.birth_date else person.age
    case.subject = subject
    case.is_child = age is not None and age < CHILD_AGE
    case.age_at_intake = age
    case.gender = person.gender
    case.citizenship = person.citizenship
    address = person.address if person.address and any(person.address.values()) else None
    record = Person(case=case, subject=subject, first_name=person.first_name,
                    second_name=person.second_name or None, birth_date=person.birth_date,
                    phone=person.phone or None, email=person.email or None, address=address,
                    identity_documents=[{"kind": d["kind"], "number": d["number"]}
                                        for d in person.identity_documents or []] or None)
    record.save()
    if person.phone:
        protection.index_set(subject=subject, field="phone", value=person.phone, kind="identifier")
    if person.birth_date:
        protection.index_set(subject=subject, field="birth_date",
                             value=person.birth_date.isoformat(), kind="identifier")


@transaction.atomic
def case_open(*, org: Organisation, actor: User, person: PersonData, opened_on: date | None = None,
              exploitation_types: list[str] | None = None, assignees: list[User] | None = None) -> Case:
    """Intake: registers the person (with a fresh data key) and opens the case."""
    _check_case_role(actor, org)
    opened_on = opened_on or timezone.localdate()
    person = _cleaned(person)
    _validate_intake(org=org, person=person, opened_on=opened_on,
                     exploitation_types=exploitation_types)
    case = Case(organisation=org, reference=_reference(), opened_on=opened_on,
                exploitation_types=sorted(set(exploitation_types or [])), updated_by=actor)
    case.save()
    _attach_person(case=case, actor=actor, person=person)
    case.save()
    case.assignees.set(assignees if assignees is not None else
                       ([actor] if Role.CASEWORKER in roles_in(actor, org) else []))
    audit_record(action="cases.case.opened", actor=actor, organisation=org, obj=case,
                 payload={"child": case.is_child})
    return case


@transaction.atomic
def case_set_status(*, case: Case, actor: User, status: str, reason: str = "",
                    version: int | None = None, seen: dict | None = None) -> Case:
    """Changes the status. Screens and the API pass the `version` the person loaded (and the
    status they `seen`): a stale one raises EditConflict and nothing is written."""
    _check_case_role(actor, case.organisation)
    if status not in CaseStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    closing = status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)
    if closing and reason not in CloseReason.values:
        raise ValidationError({"close_reason": [_("Give the reason for closing.")]})
    # "Closed (referred)" says the person went on to another organisation; the reason must say
    # the same, and a plain "Closed" must not claim a referral.
    if status == CaseStatus.CLOSED_REFERRED and reason != CloseReason.REFERRED:
        raise ValidationError({"close_reason": [
            _("A case closed as referred needs the reason “%(reason)s”.")
            % {"reason": CloseReason.REFERRED.label}]})
    if status == CaseStatus.CLOSED and reason == CloseReason.REFERRED:
        raise ValidationError({"close_reason": [
            _("The person was referred: choose the status “%(status)s”.")
            % {"status": CaseStatus.CLOSED_REFERRED.label}]})
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, version, seen, ("status", "close_reason"))
    if closing:
        # Checked under the case's lock: a referral sent meanwhile waits for it, then blocks.
        from bridgeway.cases.registry import close_blockers

        blockers = [msg for check in close_blockers() if (msg := check(case))]
        if blockers:
            raise ValidationError({"status": blockers})
    old = case.status
    case.status = status
    case.close_reason = reason if closing else ""
    case.closed_on = timezone.localdate() if closing else None
    case.version = F("version") + 1
    case.updated_by = actor
    case.save(update_fields=["status", "close_reason", "closed_on", "version", "updated_by",
                             "updated_at"])
    case.refresh_from_db()
    if case.subject_id:
        # The retention period counts from closure; reopening stops the clock.
        protection.retention_anchor_set(subject=case.subject, actor=actor,
                                        anchor=case.closed_on if closing else None)
    audit_record(action="cases.case.status_changed", actor=actor, organisation=case.organisation,
                 obj=case, payload={"from": old, "to": status, "reason": reason or None})
    return case


@dataclass(frozen=True)
class IntakeMatches:
    """Possible duplicates of a name at intake: the persons the user may open, and how many
    others match (in colleagues' cases; counted, never named)."""

    visible: list
    hidden: int

    def __bool__(self) -> bool:
        return bool(self.visible) or self.hidden > 0


def intake_matches(*, org: Organisation, actor: User, name: str, limit: int = 10) -> IntakeMatches:
    """The duplicate check of intake (screen and API). When some matches are hidden from the
    user, the fact is in the audit log (a count, no name): the warning tells a caseworker that
    someone with a similar name is assisted, so asking is accountable."""
    from bridgeway.protection.queries import CASE_ROLES, subjects_visible_to

    found = list(protection.possible_duplicates(org, name)[:limit])
    mine = set(subjects_visible_to(actor, CASE_ROLES).filter(
        pk__in=[s.pk for s in found]).values_list("pk", flat=True))
    matches = IntakeMatches(visible=[s for s in found if s.pk in mine],
                            hidden=len(found) - len(mine))
    if matches.hidden:
        audit_record(action="cases.intake.unnamed_match", actor=actor, organisation=org,
                     payload={"count": matches.hidden})
    return matches


@transaction.atomic
def note_add(*, case: Case, actor: User, body: str) -> CaseNote:
    _check_case_role(actor, case.organisation)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("The note is empty.")]})
    if errors := _person_errors(case, "body"):
        raise ValidationError(errors)
    if len(body) > 20000:
        raise ValidationError({"body": [_("The note is longer than 20,000 characters.")]})
    note = CaseNote(case=case, subject=case.subject, author=actor)
    note.body = body
    note.save()
    audit_record(action="cases.note.added", actor=actor, organisation=case.organisation, obj=note)
    return note


@transaction.atomic
def service_add(*, case: Case, actor: User, service: str, started_on: date, ended_on: date | None = None,
                provider: Organisation | None = None, provider_other: str = "", outcome: str = "ongoing",
                note: str = "") -> ServiceDelivery:
    _check_case_role(actor, case.organisation)
    errors: dict[str, list[str]] = {}
    if service not in Service.values:
        errors["service"] = [_("Unknown service.")]
    born = _birth_bound(case)
    errors.update(date_errors("started_on", started_on, happened=True, born=born))
    if "started_on" not in errors and started_on and \
            started_on < _years_before(case.opened_on, 5):
        errors["started_on"] = [_("The start date is long before the case opened.")]
    # Only an ongoing service can have a planned end; one that was completed, declined or not
    # available has ended already.
    errors.update(date_errors(
        "ended_on", ended_on, happened=outcome != ServiceOutcome.ONGOING, born=born,
        not_before=((started_on, _("The end date is before the start date.")),)))
    if outcome not in ServiceOutcome.values:
        errors["outcome"] = [_("Unknown outcome.")]
    errors.update(_person_errors(case, "service"))
    if errors:
        raise ValidationError(errors)
    delivery = ServiceDelivery(case=case, subject=case.subject, service=service,
                               started_on=started_on, ended_on=ended_on, provider=provider,
                               provider_other=provider_other, outcome=outcome, recorded_by=actor)
    delivery.note = note.strip() or None
    delivery.save()
    audit_record(action="cases.service.recorded", actor=actor, organisation=case.organisation,
                 obj=delivery, payload={"service": service, "outcome": outcome})
    return delivery


# --- identification ------------------------------------------------------------------------

@dataclass
class IndicatorEntry:
    indicator_id: str
    source: str = IndicatorSource.SELF_REPORT
    note: str = ""


def set_fits_exploitation(indicator_set: IndicatorSet, case: Case) -> bool:
    """A labour set is refused for a case recorded as sexual exploitation only, and a sexual one
    for a case whose recorded types do not include sexual exploitation. With both kinds, or none
    recorded yet, either set may be used: the caseworker chooses."""
    types = {t for t in case.exploitation_types or [] if isinstance(t, str)}
    if not types:
        return True
    sexual = bool(types & SEXUAL_EXPLOITATION)
    if indicator_set.for_sexual_exploitation:
        return sexual
    return not (sexual and types <= SEXUAL_EXPLOITATION)


def decision_org_for(org: Organisation) -> str:
    return DECISION_ORG_BY_TYPE.get(org.org_type, DecisionOrg.OTHER)


@transaction.atomic
def assessment_record(*, case: Case, actor: User, indicator_set: IndicatorSet,
                      entries: list[IndicatorEntry], assessed_on: date | None = None,
                      note: str = "") -> Assessment:
    _check_case_role(actor, case.organisation)
    if case.subject_id is None:
        # Indicators are personal data, kept under the person's key: an anonymous first contact
        # has none.
        raise ValidationError(_("This is an anonymous first contact: turn it into a full case "
                                "before assessing it with the indicators."))
    assessed_on = assessed_on or timezone.localdate()
    known = indicator_set.indicator_ids()
    wrong = [e.indicator_id for e in entries if e.indicator_id not in known]
    errors: dict[str, list[str]] = {}
    twice = sorted(i for i, n in Counter(e.indicator_id for e in entries).items() if n > 1)
    if wrong:
        errors["indicators"] = [_("These indicators are not in the set %(set)s: %(ids)s.") % {
            "set": indicator_set.label, "ids": ", ".join(wrong)}]
    if indicator_set.for_child != case.is_child:
        errors["indicator_set"] = [
            _("This is a child's case: use a set for children.") if case.is_child
            else _("This is an adult's case: use a set for adults.")]
    elif not set_fits_exploitation(indicator_set, case):
        errors["indicator_set"] = [
            _("This case is about sexual exploitation only: use a set for sexual "
              "exploitation.") if not indicator_set.for_sexual_exploitation
            else _("This case records no sexual exploitation: use a set for labour "
                   "exploitation.")]
    if twice:
        errors["indicators"] = errors.get("indicators", []) + [
            _("Each indicator can be recorded once per assessment; given more than once: "
              "%(ids)s.") % {"ids": ", ".join(twice)}]
    errors.update(date_errors("assessed_on", assessed_on, happened=True,
                              born=_birth_bound(case)))
    bad_sources = [e.indicator_id for e in entries if e.source not in IndicatorSource.values]
    if bad_sources:
        errors["indicators"] = errors.get("indicators", []) + [
            _("Unknown source for: %(ids)s.") % {"ids": ", ".join(bad_sources)}]
    if errors:
        raise ValidationError(errors)
    result = identification.evaluate(indicator_set.data, {e.indicator_id for e in entries},
                                     child=case.is_child, rule=indicator_set.rule)
    assessment = Assessment(case=case, subject=case.subject, indicator_set=indicator_set,
                            organisation=case.organisation,
                            decision_org=decision_org_for(case.organisation), assessed_by=actor,
                            assessed_on=assessed_on, child_rules=case.is_child,
                            result=result.as_dict())
    assessment.note = note.strip() or None
    assessment.save()
    for entry in entries:
        row = AssessmentIndicator(assessment=assessment, subject=case.subject,
                                  indicator_id=entry.indicator_id, source=entry.source)
        row.note = entry.note.strip() or None
        row.save()
    audit_record(action="cases.assessment.recorded", actor=actor, organisation=case.organisation,
                 obj=assessment, payload={"set": indicator_set.code, "version":
                                          indicator_set.version, "count": len(entries),
                                          "indicates": result.indicates_trafficking})
    return assessment


def _needs_approval(case: Case, actor: User) -> bool:
    settings_row = CaseSettings.objects.filter(organisation=case.organisation).first()
    return bool(settings_row and settings_row.decisions_need_approval
                and Role.SUPERVISOR not in roles_in(actor, case.organisation))


def _follow_decisions(case_id: UUID) -> None:
    """The case's trafficking status is that of its newest decision in force (by the date it
    was decided, then by when it was recorded), whether the organisation's own or a state
    body's: recording or approving an older decision does not overwrite a newer one."""
    newest = (Decision.objects.filter(case_id=case_id, state=Decision.State.IN_FORCE)
              .order_by("-decided_on", "-created_at").values_list("status", flat=True)
              .first())
    if newest is not None:
        Case.objects.filter(pk=case_id).update(trafficking_status=newest,
                                               version=F("version") + 1)


@transaction.atomic
def decision_record(*, case: Case, actor: User, assessment: Assessment | None, status: str,
                    decided_on: date | None = None) -> Decision:
    """The organisation's own decision, based on one of its assessments of this case."""
    _check_case_role(actor, case.organisation)
    errors: dict[str, list[str]] = {}
    if assessment is None or assessment.case_id != case.pk:
        errors["assessment"] = [_("A decision needs an assessment of this case; record the "
                                  "indicators first.")]
    if status not in TraffickingStatus.values:
        errors["status"] = [_("Unknown decision.")]
    decided_on = decided_on or timezone.localdate()
    errors.update(date_errors(
        "decided_on", decided_on, happened=True, born=_birth_bound(case),
        not_before=((assessment.assessed_on if assessment else None,
                     _("The decision is dated before the assessment it is based on.")),)))
    if errors:
        raise ValidationError(errors)
    return _new_decision(case=case, actor=actor, action="cases.decision.recorded",
                         assessment=assessment, status=status,
                         decision_org=decision_org_for(case.organisation), decided_on=decided_on)


def _new_decision(*, case: Case, actor: User, action: str, **fields: Any) -> Decision:
    """Records a decision: in force at once, or waiting for a supervisor where the organisation
    asks for approval and the actor is not one; the case's status follows the newest decision in
    force. The audit event holds codes only (never the body's name)."""
    state = Decision.State.AWAITING_APPROVAL if _needs_approval(case, actor) \
        else Decision.State.IN_FORCE
    decision = Decision.objects.create(case=case, organisation=case.organisation,
                                       decided_by=actor, state=state, **fields)
    if state == Decision.State.IN_FORCE:
        _follow_decisions(case.pk)
    audit_record(action=action, actor=actor, organisation=case.organisation, obj=decision,
                 payload={"status": decision.status, "decision_org": decision.decision_org,
                          "state": state})
    if state == Decision.State.AWAITING_APPROVAL:
        _notify_supervisors(case, decision, actor)
    return decision


def _notify_supervisors(case: Case, decision: Decision, actor: User) -> None:
    """Tells the organisation's supervisors (not the author) that a decision waits for them; the
    notification links to the case, where the approval buttons are."""
    from django.urls import reverse

    from bridgeway.notifications.services import Kind, notify
    from bridgeway.orgs.queries import memberships_of

    supervisors = [m.user for m in memberships_of(case.organisation).filter(
        role=Role.SUPERVISOR).select_related("user") if m.user_id != actor.pk]
    notify(users=supervisors, kind=Kind.DECISION_AWAITING_APPROVAL,
           link=reverse("cases:detail", args=[case.pk]), organisation=case.organisation,
           key=f"decision_awaiting:{decision.pk}", reference=case.reference)


@transaction.atomic
def formal_decision_record(*, case: Case, actor: User, status: str, decision_org: str,
                           decision_body: str, decided_on: date | None) -> Decision:
    """A formal identification decision received from a state body (police, prosecution or court,
    another government body), recorded beside the organisation's own. It is the state's decision,
    not this organisation's: it needs no assessment here. Where the organisation's decisions need
    a supervisor's approval, recording this one does too (it changes the case's status). The
    case's trafficking status follows the newest decision in force."""
    _check_case_role(actor, case.organisation)
    errors: dict[str, list[str]] = {}
    if status not in TraffickingStatus.values:
        errors["status"] = [_("Unknown decision.")]
    if decision_org not in FORMAL_DECISION_ORGS:
        errors["decision_org"] = [_("A formal identification is made by the police, a court or "
                                    "prosecution, or another government body; choose one.")]
    decision_body = (decision_body or "").strip()
    if not decision_body:
        errors["decision_body"] = [_("Name the body that decided.")]
    elif len(decision_body) > 200:
        errors["decision_body"] = [_("The name of the body is longer than 200 characters.")]
    errors.update(_person_errors(case, "status"))
    if decided_on is None:
        errors["decided_on"] = [_("Give the date of the formal decision.")]
    else:
        errors.update(date_errors("decided_on", decided_on, happened=True,
                                  born=_birth_bound(case)))
    if errors:
        raise ValidationError(errors)
    # Where decisions need a supervisor's approval, so does the record of a state body's
    # decision: otherwise one caseworker could set the case's status alone by filing it as one.
    return _new_decision(case=case, actor=actor, action="cases.decision.formal_recorded",
                         assessment=None, status=status, decision_org=decision_org,
                         received_from_state=True, decision_body=decision_body,
                         decided_on=decided_on)


@transaction.atomic
def decision_approve(*, decision: Decision, actor: User, approve: bool = True) -> Decision:
    # The supervisors of the organisation that holds the case now (it may have been transferred
    # since the decision was recorded).
    owner = Case.objects.select_related("organisation").get(pk=decision.case_id).organisation
    if Role.SUPERVISOR not in roles_in(actor, owner):
        raise PermissionDenied(_("Only a supervisor can approve identification decisions."))
    if decision.decided_by_id == actor.pk:
        raise PermissionDenied(_("Another supervisor must review a decision you made."))
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.state != Decision.State.AWAITING_APPROVAL:
        raise ValidationError(_("This decision is not waiting for approval."))
    decision.state = Decision.State.IN_FORCE if approve else Decision.State.REJECTED
    decision.approved_by = actor
    decision.approved_at = timezone.now()
    decision.save(update_fields=["state", "approved_by", "approved_at"])
    if approve:
        _follow_decisions(decision.case_id)
    audit_record(action="cases.decision.approved" if approve else "cases.decision.rejected",
                 actor=actor, organisation=owner, obj=decision)
    return decision


# --- editing with optimistic locking ----------------------------------------------------------

CONTEXT_FIELDS = ("gender", "citizenship", "exploitation_types", "forced_labour_industry",
                  "recruitment_methods", "control_methods", "relationship_to_trafficker",
                  "recruitment_country", "exploitation_country")
CONTEXT_LIST_FIELDS = ("exploitation_types", "recruitment_methods", "control_methods")


def _context_shape_errors(data: dict) -> dict[str, list[str]]:
    """What the edit form can send and nothing else: known fields only, a list of codes where
    the form has checkboxes, one code (or "" for none) where it has a choice."""
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in CONTEXT_FIELDS:
            errors[str(key)] = [_("Unknown field: only the victim context can be changed "
                                  "here.")]
    for field in CONTEXT_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field in CONTEXT_LIST_FIELDS:
            if not isinstance(value, list | tuple):
                errors[field] = [_("This must be a list of codes.")]
            elif not all(isinstance(v, str) for v in value):
                errors[field] = [_("Each entry of this list must be a code (text).")]
        elif not isinstance(value, str):
            errors[field] = [_("This must be one code, or empty for none.")]
    return errors


@dataclass
class Change:
    """One field someone else changed: its translated label and their value, ready to show."""

    field: str
    label: str
    value: str


class EditConflict(ValidationError):
    """Someone saved the case after this person opened it. `changes` says, field by field, what
    they changed (as far as the editor told us what they had seen); `version` is the current
    version, which a deliberate second save carries."""

    def __init__(self, changes: list[Change], version: int) -> None:
        self.changes = changes
        self.changed = [c.field for c in changes]
        self.version = version
        super().__init__(_("Someone else saved this case while you were editing it. Your edits "
                           "were not saved. Their changes: %(fields)s. Check them; saving again "
                           "applies your values over theirs.")
                         % {"fields": ", ".join(c.label for c in changes)
                            or _("other parts of the case (such as its status, assignment or "
                                 "identification)")})


def _comparable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value if v not in (None, ""))
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def same_value(a: Any, b: Any) -> bool:
    return _comparable(a) == _comparable(b)


_CODE_LISTS = {"exploitation_types": Exploitation, "status": CaseStatus,
               "close_reason": CloseReason, "gender": Gender,
               "relationship_to_trafficker": Relationship}


def shown_value(field: str, value: Any) -> str:
    """A value as a person reads it: labels for codes, names for countries and people."""
    from bridgeway.cases.codes import ControlMethod, ForcedLabourIndustry, RecruitmentMethod
    from bridgeway.orgs.codes import country_name

    lists = {**_CODE_LISTS, "recruitment_methods": RecruitmentMethod,
             "control_methods": ControlMethod, "forced_labour_industry": ForcedLabourIndustry}
    if isinstance(value, (list, tuple)):
        return ", ".join(shown_value(field, v) for v in value) or "—"
    if value in (None, ""):
        return "—"
    if field in lists:
        return str(dict(lists[field].choices).get(value, value))
    if field in ("citizenship", "recruitment_country", "exploitation_country") or \
            field.endswith("_country"):
        return country_name(value)
    if field == "assignees":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=value).first()
        return user.full_name if user else str(value)
    if isinstance(value, date):
        from django.utils.formats import date_format

        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _changes(current: dict, seen: dict, labels: dict) -> list[Change]:
    """The fields whose current value differs from what the editor saw."""
    return [Change(field=f, label=str(labels[f]), value=shown_value(f, current[f]))
            for f in labels if f in seen and f in current
            and _comparable(current[f]) != _comparable(seen[f])]


def _case_label(field: str) -> str:
    return str(Case._meta.get_field(field).verbose_name).capitalize()


def _check_version(current: Case, version: int | None, seen: dict | None, fields: Iterable[str]) -> None:
    """Raises EditConflict when the case moved on since the editor loaded `version`."""
    if version is None or current.version == version:
        return
    values = {f: (list(current.assignees.values_list("pk", flat=True))
                  if f == "assignees" else getattr(current, f)) for f in fields}
    labels = {f: _case_label(f) for f in fields}
    raise EditConflict(_changes(values, seen or {}, labels), current.version)


@transaction.atomic
def case_update(*, case: Case, actor: User, version: int, data: dict, seen: dict) -> Case:
    """Updates the coded context. `version` is what the editor loaded and `seen` the values they
    saw; if the case moved on, nothing is written and EditConflict names the changed fields."""
    _check_case_role(actor, case.organisation)
    current = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(current, version, seen, CONTEXT_FIELDS)
    errors = _context_shape_errors(data) or _validate_coded(data)
    if errors:
        raise ValidationError(errors)
    data = {f: sorted(set(v)) if f in CONTEXT_LIST_FIELDS else v for f, v in data.items()}
    changed = []
    for field in CONTEXT_FIELDS:
        if field in data and getattr(current, field) != data[field]:
            setattr(current, field, data[field])
            changed.append(field)
    if changed:
        current.version = version + 1
        current.updated_by = actor
        current.save()
        audit_record(action="cases.case.updated", actor=actor, organisation=case.organisation,
                     obj=current, payload={"fields": sorted(changed)})
    return current


@transaction.atomic
def case_assign(*, case: Case, actor: User, users: list, version: int | None = None,
                seen: dict | None = None) -> None:
    """Replaces the case's caseworkers; a stale `version` raises EditConflict (as above)."""
    if Role.SUPERVISOR not in roles_in(actor, case.organisation):
        raise PermissionDenied(_("Only a supervisor can assign cases."))
    current = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(current, version, seen, ("assignees",))
    for user in users:
        if Role.CASEWORKER not in roles_in(user, case.organisation) and \
                Role.SUPERVISOR not in roles_in(user, case.organisation):
            raise ValidationError({"assignees": [_("%(name)s is not a caseworker here.")
                                                 % {"name": user.full_name}]})
    case.assignees.set(users)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    audit_record(action="cases.case.assigned", actor=actor, organisation=case.organisation,
                 obj=case, payload={"users": [u.pk for u in users]})


# --- support plan, tasks, first contact ------------------------------------------------------

@transaction.atomic
def objective_add(*, case: Case, actor: User, objective: str, due_on: date | None = None) -> PlanObjective:
    from bridgeway.cases.models import PlanObjective

    _check_case_role(actor, case.organisation)
    objective = (objective or "").strip()
    if not objective:
        raise ValidationError({"objective": [_("Describe the objective.")]})
    if errors := date_errors("due_on", due_on, born=_birth_bound(case), not_before=(
            (case.opened_on, _("The due date is before the case opened.")),)):
        raise ValidationError(errors)
    if errors := _person_errors(case, "objective"):
        raise ValidationError(errors)
    row = PlanObjective(case=case, subject=case.subject, due_on=due_on)
    row.objective = objective
    row.save()
    audit_record(action="cases.plan_objective.added", actor=actor,
                 organisation=case.organisation, obj=row)
    return row


@transaction.atomic
def objective_done(*, objective: PlanObjective, actor: User) -> PlanObjective:
    _check_case_role(actor, objective.case.organisation)
    if objective.done_on is None:
        objective.done_on = timezone.localdate()
        objective.save(update_fields=["done_on"])
        audit_record(action="cases.plan_objective.done", actor=actor,
                     organisation=objective.case.organisation, obj=objective)
    return objective


@transaction.atomic
def task_add(*, case: Case, actor: User, title: str, due_on: date, assignee: User | None = None) -> CaseTask:
    from bridgeway.cases.models import CaseTask

    _check_case_role(actor, case.organisation)
    assignee = assignee or actor
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Say what needs doing.")]
    if due_on is None:
        errors["due_on"] = [_("Give a due date.")]
    errors.update(date_errors("due_on", due_on, born=_birth_bound(case)))
    if not can_work_on(assignee, case):
        # Otherwise the task would sit where its assignee cannot see it.
        errors["assignee"] = [_("The task must go to a supervisor here or to a caseworker "
                                "assigned to this case.")]
    errors.update(_person_errors(case, "title"))
    if errors:
        raise ValidationError(errors)
    task = CaseTask(case=case, subject=case.subject, assignee=assignee, due_on=due_on)
    task.title = title.strip()
    task.save()
    audit_record(action="cases.task.added", actor=actor, organisation=case.organisation,
                 obj=task, payload={"assignee": assignee.pk})
    return task


@transaction.atomic
def task_done(*, task: CaseTask, actor: User) -> CaseTask:
    _check_case_role(actor, task.case.organisation)
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit_record(action="cases.task.done", actor=actor, organisation=task.case.organisation,
                     obj=task)
    return task


@transaction.atomic
def first_contact_open(*, org: Organisation, actor: User, channel: str,
                       exploitation_types: list[str] | None = None) -> Case:
    """A quick, anonymous first contact: no name, no data key, nothing personal."""
    _check_case_role(actor, org)
    if channel not in ContactChannel.values:
        raise ValidationError({"contact_channel": [_("Unknown channel.")]})
    errors = _validate_coded({"exploitation_types": exploitation_types})
    if errors:
        raise ValidationError(errors)
    case = Case.objects.create(organisation=org, reference=_reference(), is_first_contact=True,
                               contact_channel=channel, opened_on=timezone.localdate(),
                               exploitation_types=sorted(set(exploitation_types or [])),
                               updated_by=actor)
    case.assignees.set([actor])
    audit_record(action="cases.first_contact.opened", actor=actor, organisation=org, obj=case,
                 payload={"channel": channel})
    return case


@transaction.atomic
def first_contact_convert(*, case: Case, actor: User, person: PersonData) -> Case:
    """The person agreed to a full case: register them on the same case, keeping its history."""
    _check_case_role(actor, case.organisation)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_first_contact or case.subject_id:
        raise ValidationError(_("This case already has a person."))
    person = _cleaned(person)
    try:
        _validate_intake(org=case.organisation, person=person, opened_on=case.opened_on,
                         exploitation_types=case.exploitation_types)
    except ValidationError as exc:
        errors = exc.message_dict
        # The opening date is the first contact's, fixed: a clash with it is the birth date's.
        if errors.pop("opened_on", None):
            errors.setdefault("birth_date", [_("The date of birth is after this first contact "
                                               "was recorded.")])
        raise ValidationError(errors) from None
    _attach_person(case=case, actor=actor, person=person)
    case.is_first_contact = False
    case.version += 1
    case.updated_by = actor
    case.save()
    audit_record(action="cases.first_contact.converted", actor=actor,
                 organisation=case.organisation, obj=case, payload={"child": case.is_child})
    return case


@transaction.atomic
def event_add(*, case: Case, actor: User, kind: str, country: str = "", place: str = "",
              date_from: date | None = None, date_to: date | None = None) -> TraffickingEvent:
    """A trafficking event (HTCDS hte_): recruitment, transit or exploitation."""
    from bridgeway.cases.codes import EventKind
    from bridgeway.cases.models import TraffickingEvent

    _check_case_role(actor, case.organisation)
    errors: dict[str, list[str]] = {}
    if kind not in EventKind.values:
        errors["kind"] = [_("Unknown kind of event.")]
    if country and not is_country(country):
        errors["country"] = [_("Unknown country code %(code)r.") % {"code": country}]
    born = _birth_bound(case)
    errors.update(date_errors("date_from", date_from, happened=True, born=born))
    errors.update(date_errors("date_to", date_to, happened=True, born=born, not_before=(
        (date_from, _("The end date is before the start date.")),)))
    if case.subject_id is None:
        errors["kind"] = [_("Register the person first: events are personal data.")]
    if errors:
        raise ValidationError(errors)
    event = TraffickingEvent(case=case, subject=case.subject, kind=kind, country=country,
                             date_from=date_from, date_to=date_to)
    event.place = place.strip() or None
    event.save()
    audit_record(action="cases.event.added", actor=actor, organisation=case.organisation,
                 obj=event, payload={"kind": kind, "country": country or None})
    return event


@transaction.atomic
def perpetrator_add(*, case: Case, actor: User, relationship: str = "", citizenship: str = "",
                    description: str = "") -> Perpetrator:
    """A perpetrator (HTCDS per_), only as far as case work needs: the relationship to the
    person, a citizenship code and a short description (encrypted under the person's key)."""
    _check_case_role(actor, case.organisation)
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if relationship and relationship not in Relationship.values:
        errors["relationship"] = [_("Unknown relationship.")]
    if citizenship and not is_country(citizenship):
        errors["citizenship"] = [_("Unknown country code %(code)r.") % {"code": citizenship}]
    if len(description) > 2000:
        errors["description"] = [_("The description is longer than 2,000 characters.")]
    if not (relationship or citizenship or description) and not errors:
        errors["relationship"] = [_("Give the relationship, the citizenship or a description.")]
    errors.update(_person_errors(case, "description"))
    if errors:
        raise ValidationError(errors)
    row = Perpetrator(case=case, subject=case.subject, relationship=relationship,
                      citizenship=citizenship)
    row.description = description or None
    row.save()
    audit_record(action="cases.perpetrator.added", actor=actor, organisation=case.organisation,
                 obj=row, payload={"relationship": relationship or None,
                                   "citizenship": citizenship or None})
    return row
# --- referrals: linked cases and transfer of ownership -----------------------------------------

@transaction.atomic
def case_open_linked(*, org: Organisation, actor: User, pseudonym: str,
                     exploitation_types: list[str] | None = None) -> Case:
    """The recipient's own case for an accepted referral. Its person is registered under a
    pseudonym (the referral's reference), never a copy of the name: what the sender shared is read
    live through the referral. The referral service has checked the actor's right to accept."""
    subject = protection.subject_create(org=org, actor=actor, display_name=pseudonym)
    case = Case(organisation=org, reference=_reference(), opened_on=timezone.localdate(),
                subject=subject, exploitation_types=sorted(set(exploitation_types or [])),
                updated_by=actor)
    case.save()
    case.assignees.set([actor] if Role.CASEWORKER in roles_in(actor, org) else [])
    audit_record(action="cases.case.opened_linked", actor=actor, organisation=org, obj=case)
    return case


@transaction.atomic
def case_transfer(*, case: Case, to_org: Organisation, actor: User) -> Case:
    """Moves a case and its person to another organisation. The person's data key is re-wrapped
    for the new organisation's KEK and the blind indexes are recomputed with its keys."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.subject_id is None:
        raise ValidationError(_("A case without a registered person cannot be transferred."))
    person = Person.objects.filter(case=case).first()
    values: dict[str, tuple[str | None, str]] = {
        "display_name": (case.subject.display_name, "name")}
    if person is not None:
        values["phone"] = (person.phone, "identifier")
        values["birth_date"] = (person.birth_date.isoformat() if person.birth_date else None,
                                "identifier")
    from_org = case.organisation
    protection.subject_move(subject=case.subject, to_org=to_org, actor=actor, index_values=values)
    case.organisation = to_org
    case.version = F("version") + 1
    case.updated_by = actor
    case.save(update_fields=["organisation", "version", "updated_by", "updated_at"])
    case.assignees.clear()  # the new organisation's supervisor assigns its own staff
    case.refresh_from_db()
    for org in (from_org, to_org):
        audit_record(action="cases.case.transferred", actor=actor, organisation=org, obj=case,
                     payload={"from": from_org.pk, "to": to_org.pk})
    return case


# --- organisation case settings --------------------------------------------------------------

def case_settings_for(org: Organisation) -> CaseSettings:
    return CaseSettings.objects.filter(organisation=org).first() or CaseSettings(organisation=org)


@transaction.atomic
def case_settings_set(*, org: Organisation, actor: User, decisions_need_approval: bool) -> CaseSettings:
    """An organisation administrator decides whether caseworkers' identification decisions wait
    for a supervisor's approval before they count."""
    if Role.ORG_ADMIN not in roles_in(actor, org):
        raise PermissionDenied(_("Only an administrator of this organisation can change its "
                                 "case settings."))
    if not isinstance(decisions_need_approval, bool):
        raise ValidationError({"decisions_need_approval": [_("Answer yes or no.")]})
    conf, _created = CaseSettings.objects.select_for_update().get_or_create(organisation=org)
    if conf.decisions_need_approval != decisions_need_approval:
        conf.decisions_need_approval = decisions_need_approval
        conf.save()
        audit_record(action="cases.settings.changed", actor=actor, organisation=org, obj=conf,
                     payload={"decisions_need_approval": decisions_need_approval})
    return conf


# --- correcting the person after intake ------------------------------------------------------

ADDRESS_PARTS = ("street", "city", "state", "postal_code", "country")
PERSON_FIELDS = ("first_name", "second_name", "birth_date", "age", "gender", "citizenship",
                 "phone", "email", "address", "identity_documents")


def person_labels() -> dict[str, str]:
    """Translated labels of the correctable fields, for messages and conflict lists."""
    return {"first_name": _("First name"), "second_name": _("Second name"),
            "birth_date": _("Date of birth"), "age": _("Age at intake"),
            "gender": _("Gender"), "citizenship": _("Citizenship"), "phone": _("Phone"),
            "email": _("E-mail"), "address": _("Address"),
            "identity_documents": _("Identity documents")}


def person_values(case: Case, person: Person) -> dict:
    """The current correctable values (decrypted: the caller shows them to someone allowed)."""
    return {"first_name": person.first_name or "", "second_name": person.second_name or "",
            "birth_date": person.birth_date,
            # The age is only asked for when the date of birth is unknown; otherwise it follows.
            "age": case.age_at_intake if person.birth_date is None else None,
            "gender": case.gender, "citizenship": case.citizenship,
            "phone": person.phone or "", "email": person.email or "",
            "address": {k: (person.address or {}).get(k, "") for k in ADDRESS_PARTS},
            "identity_documents": list(person.identity_documents or [])}


def person_shown(field: str, value: Any) -> str:
    if field == "address":
        from bridgeway.orgs.codes import country_name

        parts = [country_name(v) if k == "country" else v for k, v in (value or {}).items() if v]
        return ", ".join(parts) or "—"
    if field == "identity_documents":
        from bridgeway.cases.codes import IdentityDocumentKind

        kinds = dict(IdentityDocumentKind.choices)
        return "; ".join(f"{kinds.get(d.get('kind'), d.get('kind'))} {d.get('number', '')}"
                         for d in value or []) or "—"
    return shown_value(field, value)


def _person_comparable(field: str, value: Any) -> Any:
    # `value` may come from a client (what it says it read): anything of the wrong shape counts
    # as empty rather than failing.
    if field == "address":
        value = value if isinstance(value, dict) else {}
        return {k: str(value.get(k) or "").strip() for k in ADDRESS_PARTS}
    if field == "identity_documents":
        value = value if isinstance(value, list | tuple) else []
        return [(str(d.get("kind", "")), str(d.get("number", "")).strip()) for d in value
                if isinstance(d, dict)]
    if field == "age":
        return "" if value in (None, "") else str(value)
    return _comparable(value)


def person_same(field: str, a: Any, b: Any) -> bool:
    return _person_comparable(field, a) == _person_comparable(field, b)


def _validate_person_update(case: Case, data: dict,
                            before: dict | None = None) -> dict[str, list[str]]:
    """Validates the wanted values (cleaned) and puts the phone in E.164. A phone or e-mail
    recorded before these checks and left as it was is not held against another correction."""
    errors: dict[str, list[str]] = {}
    if "first_name" in data and not str(data["first_name"] or "").strip():
        errors["first_name"] = [_("Enter at least the first name the person gave.")]
    for field in ("first_name", "second_name"):
        if len(str(data.get(field) or "")) > 100:
            errors[field] = [_("The name is longer than 100 characters.")]
    for field in ("birth_date", "age"):
        value = data.get(field)
        if field == "birth_date" and value is not None and not isinstance(value, date):
            errors[field] = [_("Enter a valid date.")]
        if field == "age" and value is not None and (isinstance(value, bool)
                                                      or not isinstance(value, int)):
            errors[field] = [_("Enter a whole number.")]
    if not errors:
        person_errors = _validate_person(birth_date=data.get("birth_date"), age=data.get("age"),
                                         opened_on=case.opened_on)
        if "opened_on" in person_errors and "birth_date" not in person_errors:
            # The case's opening date is not being edited: it is the birth date that is wrong.
            person_errors["birth_date"] = [_("The date of birth is after the case opened.")]
        person_errors.pop("opened_on", None)
        errors.update(person_errors)
    errors.update(_validate_coded({"gender": data.get("gender"),
                                   "citizenship": data.get("citizenship")}))
    kept = {f for f in ("phone", "email") if before is not None and data.get(f) == before[f]}
    contact, e164 = contact_errors(case.organisation,
                                   phone="" if "phone" in kept else data.get("phone") or "",
                                   email="" if "email" in kept else data.get("email") or "")
    if "phone" not in kept:
        data["phone"] = e164
    errors.update(contact)
    errors.update(_address_documents_errors(data.get("address"), data.get("identity_documents")))
    return errors


def _address_documents_errors(address: Any, documents: Any) -> dict[str, list[str]]:
    """The shape of an address (ADDRESS_PARTS) and of identity documents ({kind, number})."""
    from bridgeway.cases.codes import IdentityDocumentKind

    errors: dict[str, list[str]] = {}
    if address is not None:
        if not isinstance(address, dict) or set(address) - set(ADDRESS_PARTS) or \
                not all(isinstance(v, str) and len(v) <= 200 for v in address.values()):
            errors["address"] = [_("The address has the parts %(parts)s, each a text of up to "
                                   "200 characters.") % {"parts": ", ".join(ADDRESS_PARTS)}]
        elif address.get("country") and not is_country(address["country"]):
            errors["address"] = [_("Unknown country code %(code)r.") % {"code": address["country"]}]
    if documents is not None:
        ok = isinstance(documents, list) and len(documents) <= 10 and all(
            isinstance(d, dict) and set(d) <= {"kind", "number"}
            and d.get("kind") in IdentityDocumentKind.values
            and isinstance(d.get("number"), str) and 0 < len(d["number"].strip()) <= 60
            for d in documents)
        if not ok:
            errors["identity_documents"] = [
                _("Give each identity document a known type (%(kinds)s) and its number (up to 60 "
                  "characters); at most 10 documents.")
                % {"kinds": ", ".join(IdentityDocumentKind.values)}]
    return errors


def person_renormalise(*, subject: DataSubject) -> dict[str, tuple[str | None, str]]:
    """Brings a person's stored values recorded before today's rules to their normal form
    (names and address cleaned, a phone that parses put in E.164; one that does not is kept as
    it was, for a person to correct) and returns the blind-indexed values (see
    protection.registry.register_reindex). No audit event of its own: the rebuild records one."""
    person = Person.objects.filter(subject=subject).select_related("case__organisation").first()
    if person is None:
        return {}
    person.subject = subject
    was = person_values(person.case, person)
    person.first_name = clean_text(person.first_name or "") or person.first_name
    person.second_name = clean_text(person.second_name or "") or None
    person.email = clean_text(person.email or "") or None
    if person.phone:
        errors, e164 = contact_errors(person.case.organisation, phone=clean_text(person.phone),
                                      email="")
        person.phone = e164 if not errors else person.phone
    if person.address:
        person.address = _clean_address(person.address)
    if person.identity_documents:
        person.identity_documents = _clean_documents(person.identity_documents)
    if person_values(person.case, person) != was:
        person.save()
    return {"phone": (person.phone, "identifier"),
            "birth_date": (person.birth_date.isoformat() if person.birth_date else None,
                           "identifier")}


@dataclass
class PersonCorrection:
    case: Case
    fields: list[str]
    child_changed: bool


@transaction.atomic
def _recorded_before_birth(case: Case, born: date) -> dict[str, list[str]]:
    """A new date of birth must not come after what the case already records as having happened
    to the person (events, services, assessments, decisions): the same rule as when they were
    recorded."""
    from django.db.models import Min
    from django.utils.formats import date_format

    earliest = [d for d in (
        case.events.aggregate(d=Min("date_from"))["d"],
        case.services.aggregate(d=Min("started_on"))["d"],
        case.assessments.aggregate(d=Min("assessed_on"))["d"],
        case.decisions.aggregate(d=Min("decided_on"))["d"]) if d is not None]
    if earliest and min(earliest) < born:
        return {"birth_date": [_("This case records things that happened to the person before "
                                 "this date of birth (the earliest on %(date)s). Correct those "
                                 "first, or check the date.")
                               % {"date": date_format(min(earliest), "SHORT_DATE_FORMAT")}]}
    return {}


@transaction.atomic
def person_update(*, case: Case, actor: User, version: int, data: dict,
                  seen: dict | None = None) -> PersonCorrection:
    """Corrects the person after intake. `data` holds the fields to change (see PERSON_FIELDS;
    address a dict of ADDRESS_PARTS, identity_documents a list of {kind, number}). A new name
    rebuilds the name's blind index, a new phone or date of birth theirs; a new date of birth or
    age recomputes whether this is a child's case. Stale `version`: EditConflict, nothing
    written. The audit event names the fields, never their values."""
    _check_case_role(actor, case.organisation)
    current = Case.objects.select_for_update().get(pk=case.pk)
    person = Person.objects.filter(case=current).first()
    if person is None or current.subject is None or current.subject.is_erased:
        raise ValidationError({"first_name": [_("This case has no registered person.")]})
    person.subject = current.subject
    before = person_values(current, person)
    if current.version != version:
        labels = person_labels()
        changes = [Change(field=f, label=str(labels[f]), value=person_shown(f, before[f]))
                   for f in PERSON_FIELDS if f in (seen or {})
                   and _person_comparable(f, before[f]) != _person_comparable(f, seen[f])]
        raise EditConflict(changes, current.version)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({"data": [_("These fields cannot be corrected here: %(fields)s.")
                                        % {"fields": ", ".join(sorted(unknown))}]})
    wanted = {**before, **data}
    if "birth_date" in data and "age" not in data:
        wanted["age"] = None  # the age follows from the new date of birth
    if before["birth_date"] is not None and wanted["birth_date"] is None \
            and wanted["age"] is None:
        # A date of birth removed (uncertain, say) without an age: the age it gave at intake
        # stays, so a child's case does not silently become an adult's.
        wanted["age"] = current.age_at_intake
    for field in ("first_name", "second_name", "phone", "email", "gender", "citizenship"):
        wanted[field] = clean_text(str(wanted[field] or ""))
    if wanted["address"] is None:
        wanted["address"] = {}
    if wanted["identity_documents"] is None:
        wanted["identity_documents"] = []
    wanted["address"] = _clean_address(wanted["address"])
    wanted["identity_documents"] = _clean_documents(wanted["identity_documents"])
    errors = _validate_person_update(current, wanted, before)
    if not errors and wanted["birth_date"] and wanted["birth_date"] != before["birth_date"]:
        errors.update(_recorded_before_birth(current, wanted["birth_date"]))
    if errors:
        raise ValidationError(errors)
    if wanted["birth_date"]:
        wanted["age"] = age_on(wanted["birth_date"], current.opened_on)
    changed = [f for f in PERSON_FIELDS if f != "age"
               and _person_comparable(f, before[f]) != _person_comparable(f, wanted[f])]
    if wanted["age"] != current.age_at_intake:
        changed.append("age")
    was_child = current.is_child
    if not changed:
        return PersonCorrection(case=current, fields=[], child_changed=False)
    subject = current.subject
    person.first_name = wanted["first_name"]
    person.second_name = wanted["second_name"] or None
    person.birth_date = wanted["birth_date"]
    person.phone = wanted["phone"] or None
    person.email = wanted["email"] or None
    person.address = wanted["address"] if any(wanted["address"].values()) else None
    person.identity_documents = [{"kind": d["kind"], "number": d["number"]}
                                 for d in wanted["identity_documents"]] or None
    person.save()
    if {"first_name", "second_name"} & set(changed):
        full_name = " ".join(p for p in [wanted["first_name"], wanted["second_name"]] if p)
        subject.display_name = full_name
        subject.save(update_fields=["display_name"])
        protection.index_set(subject=subject, field="display_name", value=full_name, kind="name")
    if "phone" in changed:
        protection.index_set(subject=subject, field="phone", value=wanted["phone"] or None,
                             kind="identifier")
    if "birth_date" in changed:
        protection.index_set(subject=subject, field="birth_date",
                             value=wanted["birth_date"].isoformat() if wanted["birth_date"]
                             else None, kind="identifier")
    current.age_at_intake = wanted["age"]
    current.is_child = wanted["age"] is not None and wanted["age"] < CHILD_AGE
    current.gender = wanted["gender"]
    current.citizenship = wanted["citizenship"]
    current.version = version + 1
    current.updated_by = actor
    current.save()
    audit_record(action="cases.person.corrected", actor=actor, organisation=current.organisation,
                 obj=current, payload={"fields": changed, "child": current.is_child})
    return PersonCorrection(case=current, fields=changed,
                            child_changed=was_child != current.is_child)
