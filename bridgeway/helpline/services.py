"""Writes of the helpline: contacts recorded by operators, through the API or a call-log
import, and received through the public form; linking a contact to a case or opening one; the
organisation's helpline settings. Keyword-only, one transaction, permission checked, messages
naming the field, one audit event with codes only (never the text a contact holds)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bridgeway.cases import queries as case_queries
from bridgeway.cases import services as case_services
from bridgeway.helpline import text
from bridgeway.helpline.codes import (
    CASE_CHANNEL,
    CallerType,
    Channel,
    Direction,
    FormField,
    HeldReason,
    Outcome,
    ReachKind,
    Relation,
    Source,
    Status,
    Urgency,
    topic_labels,
)
from bridgeway.helpline.models import Contact, DayCount, HelplineSettings, ReachIndex
from bridgeway.orgs.codes import Role, is_language
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import roles_in
from bridgeway.protection import services as protection
from bridgeway.protection.audit import audit_record
from bridgeway.protection.models import DataSubject

if TYPE_CHECKING:
    from bridgeway.accounts.models import User
    from bridgeway.cases.models import Case

OPERATOR_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
SUMMARY_LIMIT = 4000
ANSWER_LIMIT = 2000
SHORT_LIMIT = 200
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _check_operator(actor: User, org: Organisation) -> None:
    if not roles_in(actor, org) & OPERATOR_ROLES:
        raise PermissionDenied(_("Only caseworkers and supervisors of this organisation record "
                                 "helpline contacts."))


def _draw_reference() -> str:
    """7 characters of 32 (35 bits): a repeat is rare enough that the public form draws without
    asking the database and retries the whole submission on the unique constraint instead."""
    return "H-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(7))


def _reference() -> str:
    while True:
        ref = _draw_reference()
        if not Contact.objects.filter(reference=ref).exists():
            return ref


@dataclass
class ContactData:
    """One contact as an operator (or a telephony system) records it. Everything but channel,
    time and outcome may stay empty; nothing personal is asked for."""

    channel: str
    started_at: datetime | None
    outcome: str
    direction: str = Direction.INCOMING
    duration_minutes: int | None = None
    language: str = ""
    caller_type: str = ""
    relation: str = ""
    topics: list[str] = field(default_factory=list)
    urgency: str = Urgency.NORMAL
    summary: str = ""
    follow_up: str = ""
    follow_up_due: date | None = None
    referral_id: Any = None
    reach: str = ""
    reach_kind: str = ""


def _choice(errors: dict, name: str, value: str, choices: Any, *, required: bool = False) -> None:
    if not value:
        if required:
            errors.setdefault(name, []).append(_("This field is required."))
        return
    if value not in choices.values:
        errors.setdefault(name, []).append(_("Choose one of the listed values."))


def _validate(org: Organisation, data: ContactData, actor: User | None) -> dict[str, Any]:
    """The contact's values as stored, or ValidationError naming each field in error."""
    errors: dict[str, list[str]] = {}
    _choice(errors, "channel", data.channel, Channel, required=True)
    _choice(errors, "outcome", data.outcome, Outcome, required=True)
    _choice(errors, "direction", data.direction, Direction, required=True)
    _choice(errors, "caller_type", data.caller_type, CallerType)
    _choice(errors, "relation", data.relation, Relation)
    _choice(errors, "urgency", data.urgency, Urgency, required=True)
    now = timezone.now()
    if data.started_at is None:
        errors.setdefault("started_at", []).append(_("Enter when the contact happened."))
    elif data.started_at > now + timedelta(minutes=5):
        errors.setdefault("started_at", []).append(_("The time is in the future."))
    elif data.started_at < now - timedelta(days=3660):
        errors.setdefault("started_at", []).append(_("The time is more than ten years ago."))
    if data.duration_minutes is not None and not (
            isinstance(data.duration_minutes, int) and 0 <= data.duration_minutes <= 24 * 60):
        errors.setdefault("duration_minutes", []).append(
            _("Enter a duration from 0 to 1440 minutes."))
    if data.language and not is_language(data.language):
        errors.setdefault("language", []).append(_("Unknown language code."))
    topics = list(dict.fromkeys(data.topics or []))
    known = topic_labels()
    if any(t not in known for t in topics):
        errors.setdefault("topics", []).append(_("Choose topics from the list."))
    if data.follow_up_due and data.started_at and data.follow_up_due < data.started_at.date():
        errors.setdefault("follow_up_due", []).append(
            _("The follow-up date is before the contact."))
    summary = text.clean_text(data.summary, field="summary", limit=SUMMARY_LIMIT, errors=errors)
    follow_up = text.clean_text(data.follow_up, field="follow_up", limit=SHORT_LIMIT * 2,
                                errors=errors, multiline=False)
    reach = text.clean_text(data.reach, field="reach", limit=SHORT_LIMIT, errors=errors,
                            multiline=False)
    reach_kind, normalised = "", ""
    if reach:
        reach_kind = data.reach_kind or text.guess_kind(reach)
        try:
            normalised = text.normalise_reach(reach_kind, reach, country=org.country)
        except ValueError as exc:
            errors.setdefault("reach", []).append(str(exc))
    elif data.reach_kind and data.reach_kind not in ReachKind.values:
        errors.setdefault("reach_kind", []).append(_("Choose one of the listed values."))
    referral = None
    if data.referral_id:
        from bridgeway.referrals.queries import referral_for_user

        try:
            referral, _side = referral_for_user(actor, data.referral_id) if actor else (None, "")
        except Http404:
            referral = None
        if referral is None or org.pk not in (referral.sender_id, referral.recipient_id):
            errors.setdefault("referral", []).append(
                _("No referral of this organisation has this id."))
    if errors:
        raise ValidationError(errors)
    return {
        "channel": data.channel, "outcome": data.outcome, "direction": data.direction,
        "started_at": data.started_at, "duration_minutes": data.duration_minutes,
        "language": data.language, "caller_type": data.caller_type, "relation": data.relation,
        "topics": topics, "urgency": data.urgency, "follow_up_due": data.follow_up_due,
        "referral": referral, "_summary": summary, "_follow_up": follow_up,
        "_reach": normalised, "_reach_kind": reach_kind if normalised else "",
    }


def _subject_for(contact: Contact, actor: User | None, *, audit: bool = True,
                 caller_retries: bool = False) -> DataSubject:
    """The contact's own data subject, created the first time it holds personal text. While
    the contact belongs to no case, its retention clock runs from the contact's day."""
    if contact.subject_id is None:
        anchor = None if contact.case_id else timezone.localdate(contact.started_at)
        subject = protection.subject_create(org=contact.organisation, actor=actor,  # type: ignore[arg-type]
                                            display_name=contact.reference,
                                            retention_anchor=anchor, audit=audit,
                                            index_name=False,  # the name is our reference
                                            caller_retries=caller_retries)
        contact.subject = subject
    return contact.subject  # type: ignore[return-value]


def _store_personal(contact: Contact, actor: User | None, *, summary: str | None = None,
                    follow_up: str | None = None, reach: str = "", reach_kind: str = "",
                    answers: dict | None = None, audit: bool = True,
                    caller_retries: bool = False) -> None:
    wanted = any([summary, follow_up, reach, answers])
    if not wanted and contact.subject_id is None:
        return
    _subject_for(contact, actor, audit=audit, caller_retries=caller_retries)
    if summary is not None:
        contact.summary = summary or None
    if follow_up is not None:
        contact.follow_up = follow_up or None
    if answers is not None:
        contact.answers = answers or None
    if reach:
        contact.reach = reach
        contact.reach_kind = reach_kind


def _index_reach(contact: Contact, kind: str, normalised: str, *, new: bool = False) -> None:
    """After the contact is saved: its repeat-caller entry (one per contact)."""
    if not normalised:
        return
    if not new:
        ReachIndex.objects.filter(contact=contact).delete()
    ReachIndex.objects.create(contact=contact, organisation_id=contact.organisation_id,
                              digest=text.reach_digest(contact.organisation_id, kind, normalised))


@transaction.atomic
def contact_record(*, org: Organisation, actor: User, data: ContactData,
                   source: str = Source.OPERATOR) -> Contact:
    """An operator (or a system through the API) records a contact."""
    _check_operator(actor, org)
    values = _validate(org, data, actor)
    contact = Contact(organisation=org, reference=_reference(), source=source,
                      created_by=actor, status=Status.DONE,
                      **{k: v for k, v in values.items() if not k.startswith("_")})
    if contact.outcome != Outcome.PENDING:
        contact.first_answered_at = contact.started_at
    _store_personal(contact, actor, summary=values["_summary"], follow_up=values["_follow_up"],
                    reach=values["_reach"], reach_kind=values["_reach_kind"])
    contact.save()
    _index_reach(contact, values["_reach_kind"], values["_reach"])
    audit_record(action="helpline.contact.recorded", actor=actor, organisation=org, obj=contact,
                 payload={"channel": contact.channel, "outcome": contact.outcome,
                          "source": source, "topics": contact.topics[:20]})
    return contact


def _lock(contact: Contact) -> Contact:
    # `of=("self",)`: PostgreSQL cannot lock the nullable side of the outer join to `subject`.
    return Contact.objects.select_for_update(of=("self",)).select_related(
        "organisation", "subject").get(pk=contact.pk)


@transaction.atomic
def contact_update(*, contact: Contact, actor: User, data: ContactData) -> Contact:
    """The operator answers or completes a contact (a web-form submission in triage, say)."""
    contact = _lock(contact)
    _check_operator(actor, contact.organisation)
    values = _validate(contact.organisation, data, actor)
    for name, value in values.items():
        if not name.startswith("_"):
            setattr(contact, name, value)
    if contact.outcome != Outcome.PENDING:
        if contact.first_answered_at is None:
            contact.first_answered_at = timezone.now()
        if contact.status in (Status.NEW, Status.HELD):
            contact.status = Status.DONE
    _store_personal(contact, actor, summary=values["_summary"], follow_up=values["_follow_up"],
                    reach=values["_reach"], reach_kind=values["_reach_kind"])
    contact.save()
    _index_reach(contact, values["_reach_kind"], values["_reach"])
    audit_record(action="helpline.contact.updated", actor=actor,
                 organisation=contact.organisation, obj=contact,
                 payload={"outcome": contact.outcome, "status": contact.status})
    return contact


@transaction.atomic
def contact_release(*, contact: Contact, actor: User, discard: bool) -> Contact:
    """A submission held for moderation is let into triage, or discarded (its text erased)."""
    contact = _lock(contact)
    _check_operator(actor, contact.organisation)
    if contact.status != Status.HELD:
        raise ValidationError(_("This contact is not held for moderation."))
    if discard:
        contact.status = Status.DISCARDED
        contact.outcome = Outcome.PRANK
        contact.save(update_fields=["status", "outcome"])
        if contact.subject_id:
            protection.subject_erase(subject=contact.subject, actor=actor)  # type: ignore[arg-type]
    else:
        contact.status = Status.NEW
        contact.save(update_fields=["status"])
    audit_record(action="helpline.contact.discarded" if discard else "helpline.contact.released",
                 actor=actor, organisation=contact.organisation, obj=contact)
    return contact


@transaction.atomic
def follow_up_done(*, contact: Contact, actor: User) -> Contact:
    contact = _lock(contact)
    _check_operator(actor, contact.organisation)
    if contact.follow_up_due is None or contact.follow_up_done_at is not None:
        raise ValidationError(_("This contact has no open follow-up."))
    contact.follow_up_done_at = timezone.now()
    contact.save(update_fields=["follow_up_done_at"])
    audit_record(action="helpline.follow_up.done", actor=actor,
                 organisation=contact.organisation, obj=contact)
    return contact


@transaction.atomic
def contact_link_case(*, contact: Contact, actor: User, case: Case) -> Contact:
    """Many contacts can belong to one case; the case's timeline then shows them. From now on
    the contact's text follows the case's retention, not the helpline's."""
    contact = _lock(contact)
    _check_operator(actor, contact.organisation)
    if case.organisation_id != contact.organisation_id or not case_queries.may_work_on(actor,
                                                                                        case):
        raise ValidationError({"case": [_("No case you work on has this reference.")]})
    contact.case = case
    if contact.status in (Status.NEW, Status.HELD):
        contact.status = Status.DONE
    if contact.first_answered_at is None:
        contact.first_answered_at = timezone.now()
    contact.save(update_fields=["case", "status", "first_answered_at"])
    if contact.subject_id:
        DataSubject.objects.filter(pk=contact.subject_id).update(retention_anchor=None)
    audit_record(action="helpline.contact.linked", actor=actor,
                 organisation=contact.organisation, obj=contact, payload={"case": str(case.pk)})
    return contact


@transaction.atomic
def contact_open_case(*, contact: Contact, actor: User) -> Case:
    """Opens an anonymous first contact from the contact (its channel and the types of
    exploitation among its topics, nothing retyped) and links the two. A full intake continues
    on the case's own page ("register the person")."""
    contact = _lock(contact)
    _check_operator(actor, contact.organisation)
    if contact.case_id:
        raise ValidationError(_("This contact already belongs to a case."))
    exploitation = [t[2:] for t in contact.topics if t.startswith("x:")]
    case = case_services.first_contact_open(org=contact.organisation, actor=actor,
                                            channel=CASE_CHANNEL[Channel(contact.channel)],
                                            exploitation_types=exploitation)
    if contact.outcome in (Outcome.PENDING, Outcome.INFORMATION):
        contact.outcome = Outcome.CASE_OPENED
        contact.save(update_fields=["outcome"])
    contact_link_case(contact=contact, actor=actor, case=case)
    return case


# --- the public form ---------------------------------------------------------------------------

def public_submission(*, org: Organisation, answers: dict[str, str], language: str,
                      held_reason: str = "", conf: HelplineSettings | None = None) -> Contact:
    """A person (or someone for them) wrote through the public form. No account: the contact
    lands in triage (or held for moderation, with the reason) as a web-form contact; its answers
    are encrypted like every personal field. The caller's checks (proof of work, honeypot, time
    trap, rate limit) ran before this; the daily quota is counted here, on the organisation's
    counter of the day (incremented atomically), so submissions past it are held rather than
    dropped. `conf`: the organisation's settings when the caller already read them.

    The references (the contact's and its data subject's) are drawn without asking the
    database: on the rare repeat the unique constraint refuses the insert, the whole
    transaction is rolled back (nothing half-written) and the submission is made again with
    new ones."""
    if conf is None or conf.organisation_id != org.pk:
        conf = HelplineSettings.objects.get(organisation=org)
    for attempt in range(3):
        try:
            return _public_submission(org=org, answers=answers, language=language,
                                      held_reason=held_reason, conf=conf)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _count_received(org: Organisation, day: date) -> int:
    """Adds one to the organisation's submissions of the day; the number before this one.
    One statement: the row lock it takes is held only until this transaction commits."""
    table = DayCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, day, received) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (organisation_id, day) DO UPDATE SET received = {table}.received + 1 "
            "RETURNING received", [org.pk, day])
        return cursor.fetchone()[0] - 1


@transaction.atomic
def _public_submission(*, org: Organisation, answers: dict[str, str], language: str,
                       held_reason: str, conf: HelplineSettings) -> Contact:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    allowed = set(conf.form_fields or [])
    for name, value in answers.items():
        if name not in allowed:
            continue
        limit = ANSWER_LIMIT if name == FormField.WHAT_HAPPENED else SHORT_LIMIT
        value = text.clean_text(value, field=name, limit=limit, errors=errors,
                                multiline=name == FormField.WHAT_HAPPENED)
        if value:
            cleaned[name] = value
    if not errors and not any(k in cleaned for k in (
            FormField.WHAT_HAPPENED, FormField.REACH, FormField.SAFE_TIMES)):
        errors.setdefault(FormField.WHAT_HAPPENED if FormField.WHAT_HAPPENED in allowed else
                          "__all__", []).append(_("Write something so that we can help."))
    if errors:
        raise ValidationError(errors)
    if language and not is_language(language):
        language = ""
    contact = Contact(organisation=org, reference=_draw_reference(), source=Source.WEB_FORM,
                      channel=Channel.WEB_FORM, started_at=timezone.now(),
                      outcome=Outcome.PENDING, language=language)
    reach, reach_kind = cleaned.get(FormField.REACH, ""), ""
    normalised = ""
    if reach:
        reach_kind = text.guess_kind(reach)
        try:
            normalised = text.normalise_reach(reach_kind, reach, country=org.country)
        except ValueError:
            normalised = ""  # kept as the person wrote it, among the answers
    # One audit event: the contact's "received" stands for its new data subject too. Its
    # reference is drawn unchecked, like the contact's: public_submission retries on a repeat.
    _store_personal(contact, None, answers=cleaned, reach=normalised,
                    reach_kind=reach_kind if normalised else "", audit=False,
                    caller_retries=True)
    # The day's counter row stays locked until the commit, so it is taken as late as possible:
    # submissions of one organisation wait for each other only over the last few statements.
    received_today = _count_received(org, timezone.localdate())
    if not held_reason and received_today >= conf.daily_quota:
        held_reason = HeldReason.QUOTA
    contact.status = Status.HELD if held_reason else Status.NEW
    contact.held_reason = held_reason
    contact.save(force_insert=True)
    _index_reach(contact, reach_kind, normalised, new=True)
    audit_record(action="helpline.contact.received", organisation=org, obj=contact,
                 payload={"held": held_reason or None, "language": language or None})
    return contact


# --- settings ----------------------------------------------------------------------------------

def _default_slug(org: Organisation) -> str:
    base = slugify(org.name)[:40] or "org"
    slug = base
    n = 1
    while HelplineSettings.objects.filter(slug=slug).exclude(organisation=org).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def settings_ensure(org: Organisation) -> HelplineSettings:
    """The organisation's helpline settings, created with the defaults on first use (no audit
    event: nothing was decided yet)."""
    conf = HelplineSettings.objects.filter(organisation=org).first()
    if conf is None:
        conf, _created = HelplineSettings.objects.get_or_create(
            organisation=org, defaults={"slug": _default_slug(org),
                                        "form_fields": [str(f) for f in
                                                        _default_fields()]})
    return conf


def _default_fields() -> list[str]:
    from bridgeway.helpline.codes import DEFAULT_FORM_FIELDS

    return [str(f) for f in DEFAULT_FORM_FIELDS]


@transaction.atomic
def settings_set(*, org: Organisation, actor: User, slug: str, form_enabled: bool,
                 form_fields: list[str], form_languages: list[str], daily_quota: int,
                 retention_months: int, form_labels: dict | None = None,
                 form_intro: dict | None = None) -> HelplineSettings:
    """Supervisors and organisation administrators set the form, the quota and the retention of
    contacts that never became a case."""
    allowed = ({Role.ORG_ADMIN, Role.NETWORK_COORDINATOR} if org.is_network
               else {Role.SUPERVISOR, Role.ORG_ADMIN})
    if not roles_in(actor, org) & allowed:
        raise PermissionDenied(_("Only supervisors and administrators of this organisation "
                                 "change the helpline settings."))
    conf = HelplineSettings.objects.select_for_update().get(pk=settings_ensure(org).pk)
    errors: dict[str, list[str]] = {}
    slug = slugify(slug or "")[:60]
    if not slug:
        errors["slug"] = [_("Enter an address: letters, digits and dashes.")]
    elif HelplineSettings.objects.filter(slug=slug).exclude(pk=conf.pk).exists():
        errors["slug"] = [_("Another organisation uses this address.")]
    if any(f not in FormField.values for f in form_fields):
        errors["form_fields"] = [_("Choose questions from the list.")]
    if any(not is_language(code) for code in form_languages):
        errors["form_languages"] = [_("Unknown language code.")]
    if not isinstance(daily_quota, int) or not 1 <= daily_quota <= 100000:
        errors["daily_quota"] = [_("Enter a number from 1 to 100000.")]
    if not isinstance(retention_months, int) or not 1 <= retention_months <= 120:
        errors["retention_months"] = [_("Enter a number of months from 1 to 120.")]
    labels: dict[str, dict[str, str]] = {}
    for name, by_lang in (form_labels or {}).items():
        if name not in FormField.values or not isinstance(by_lang, dict):
            errors.setdefault("form_labels", []).append(_("Labels are given per question and "
                                                          "language."))
            break
        for code, label in by_lang.items():
            value = text.clean_text(label, field="form_labels", limit=SHORT_LIMIT,
                                    errors=errors, multiline=False)
            if value and is_language(code):
                labels.setdefault(name, {})[code] = value
    intro: dict[str, str] = {}
    for code, value in (form_intro or {}).items():
        value = text.clean_text(value, field="form_intro", limit=ANSWER_LIMIT, errors=errors)
        if value and is_language(code):
            intro[code] = value
    if errors:
        raise ValidationError(errors)
    conf.slug = slug
    conf.form_enabled = bool(form_enabled)
    conf.form_fields = list(dict.fromkeys(form_fields))
    conf.form_languages = list(dict.fromkeys(form_languages))
    conf.daily_quota = daily_quota
    conf.retention_months = retention_months
    if form_labels is not None:
        conf.form_labels = labels
    if form_intro is not None:
        conf.form_intro = intro
    conf.save()
    audit_record(action="helpline.settings.set", actor=actor, organisation=org, obj=conf,
                 payload={"quota": daily_quota, "retention_months": retention_months,
                          "form_enabled": conf.form_enabled})
    return conf


# --- notifications -----------------------------------------------------------------------------

def notify_new_submissions(now: datetime) -> int:
    """Batched: one notification per operator and organisation for everything that arrived
    since the last run (send_reminders), however many arrived: a flood never becomes
    thousands of e-mails. Held submissions wait for the triage page and notify nobody."""
    from bridgeway.notifications.services import notify
    from bridgeway.orgs.models import Membership

    done = 0
    for conf in HelplineSettings.objects.select_related("organisation"):
        since = conf.last_notified_at
        new = Contact.objects.filter(organisation=conf.organisation, source=Source.WEB_FORM,
                                     status=Status.NEW, created_at__lte=now)
        if since is not None:
            new = new.filter(created_at__gt=since)
        if not new.exists():
            continue
        with transaction.atomic():
            users = [m.user for m in Membership.objects.filter(
                organisation=conf.organisation, role__in=list(OPERATOR_ROLES),
                is_active=True).select_related("user")]
            notify(users=users, kind="helpline_submissions", link="/helpline/triage/",
                   organisation=conf.organisation,
                   key=f"helpline-{conf.organisation_id}-{now:%Y%m%d%H%M%S}")
            HelplineSettings.objects.filter(pk=conf.pk).update(last_notified_at=now)
        done += len(users)
    return done


# --- call-log import ---------------------------------------------------------------------------

@transaction.atomic
def call_log_import(*, org: Organisation, actor: User, content: bytes, filename: str,
                    dry_run: bool) -> Any:
    """Every row checked first; a dry run or a file with any problem writes nothing. The
    contacts are anonymous (a log holds no personal data): no data key, no text."""
    from bridgeway.helpline.calllog import FileProblem, Report, parse, read_rows

    _check_operator(actor, org)
    report = Report(dry_run=dry_run)
    try:
        rows = read_rows(content, filename)
    except FileProblem as exc:
        report.add(0, "", str(exc))
        return report
    values = parse(rows, report)
    if dry_run or not report.ok:
        return report
    contacts = [Contact(organisation=org, reference=_reference(), source=Source.IMPORT,
                        status=Status.DONE, created_by=actor, **v,
                        first_answered_at=v["started_at"]) for v in values]
    Contact.objects.bulk_create(contacts, batch_size=500)
    report.created = len(contacts)
    audit_record(action="helpline.import.done", actor=actor, organisation=org,
                 payload={"rows": report.created})
    return report
