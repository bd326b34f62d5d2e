"""Reads of cases, always starting from what the user may see: supervisors see every case of
their organisation, caseworkers the cases assigned to them; nobody else sees any (referrals will
add what is shared with them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.codes import (
    FORMAL_DECISION_ORGS,
    OPEN_STATUSES,
    CaseStatus,
    IndicatorSource,
    TraffickingStatus,
)
from bridgeway.cases.identification import dimension_label, evaluate, explain, strength_label
from bridgeway.cases.models import (
    Assessment,
    Case,
    CaseSettings,
    CaseTask,
    Decision,
    IndicatorSet,
    Person,
    ServiceDelivery,
)
from bridgeway.cases.set_translations import localise
from bridgeway.core.db import ExistsPerRow
from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.queues import SOON, URGENT, QueueItem, count_and_page, url_maker
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import orgs_where
from bridgeway.protection.audit import audit_record
from bridgeway.protection.models import DataSubject
from bridgeway.protection.queries import (
    CASE_ROLES,
    erased_subjects,
    possible_duplicates,
    subjects_visible_to,
)

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


def cases_visible_to(user: User) -> QuerySet[Case]:
    visible = case_visibility(user)
    return Case.objects.none() if visible is None else Case.objects.filter(visible)


def case_visibility(user: User, via: str = "") -> Q | None:
    """The condition "the user sees this case", on Case itself or, with `via` ("case__",
    "referral__case__"), on a row that points to a case: a join on the case rather than a
    subquery of visible cases, which PostgreSQL may plan as a nested loop over them. None when
    the user sees no case."""
    supervised, worked = _case_org_ids(user)
    if not supervised and not worked:
        return None
    return _visible(via, user.pk, supervised, worked)


def _case_org_ids(user: User) -> tuple[list[int], list[int]]:
    """The organisations whose cases the user sees: (supervised: all their cases, worked as a
    caseworker only: the cases they are assigned to), each sorted."""
    supervised = {o.pk for o in orgs_where(user, [Role.SUPERVISOR])}
    worked = {o.pk for o in orgs_where(user, [Role.CASEWORKER])} - supervised
    return sorted(supervised), sorted(worked)


def _visible(via: str, user_id: int, supervised: list[int], worked: list[int], *,
             per_row: bool = False) -> Q:
    """case_visibility's condition from its inputs (also inside prepared builders). `per_row`:
    a caseworker's assignment tested row by row (core.db.ExistsPerRow), for a first page read in
    an index's order where nearly every row passes (a person's own tasks); the same rows."""
    visible = Q(**{f"{via}organisation_id__in": supervised})
    if worked:
        # A subquery, not a join on the assignees: no duplicate rows, so no DISTINCT, and a
        # supervisor's list stays a plain index scan of the organisation's cases.
        if per_row:
            assigned = Q(ExistsPerRow(Case.assignees.through.objects.filter(
                user_id=user_id, case_id=OuterRef(f"{via}pk"))))
        else:
            assigned = Q(**{f"{via}pk__in": case_ids_assigned_to(user_id)})
        visible |= Q(**{f"{via}organisation_id__in": worked}) & assigned
    return visible


def case_for_user(user: User, pk: UUID | str, *, with_person: bool = False) -> Case:
    """`with_person`: the case's person record joined in the same statement (the case page shows
    it; `case_person` then needs no query). Its fields still decrypt, and are logged, on access."""
    related = ("organisation", "subject", "person") if with_person else ("organisation", "subject")
    return get_or_404(cases_visible_to(user).select_related(*related), pk=pk)


def may_work_on(user: User, case: Case) -> bool:
    """Whether `user` sees `case` (and so can take a task on it)."""
    return cases_visible_to(user).filter(pk=case.pk).exists()


def case_staff(org: Organisation) -> QuerySet:
    """Caseworkers and supervisors of `org`: who may be assigned to its cases."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__organisation=org, memberships__is_active=True,
        memberships__role__in=[Role.CASEWORKER, Role.SUPERVISOR]).distinct().order_by("full_name")


def case_team(case: Case) -> QuerySet:
    """Who can work on `case`: the organisation's supervisors and the caseworkers assigned."""
    supervisors = Q(memberships__organisation=case.organisation_id, memberships__is_active=True,
                    memberships__role=Role.SUPERVISOR)
    assigned = Q(pk__in=Case.assignees.through.objects.filter(case=case).values("user_id"),
                 memberships__organisation=case.organisation_id, memberships__is_active=True,
                 memberships__role=Role.CASEWORKER)
    return case_staff(case.organisation).filter(supervisors | assigned)


def case_orgs(user: User) -> list[Organisation]:
    return orgs_where(user, [Role.SUPERVISOR, Role.CASEWORKER])


def filtered_cases(user: User, *, status: str = "", assignee: User | None = None, exploitation: str = "",
                   child: bool | None = None, opened_from: date | None = None, opened_to: date | None = None,
                   subject_ids: Iterable[UUID] | None = None) -> QuerySet[Case]:
    qs = cases_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if assignee:
        qs = qs.filter(assignees=assignee)
    if exploitation:
        qs = qs.filter(exploitation_types__contains=[exploitation]) if _json_contains() \
            else qs.filter(exploitation_types__icontains=f'"{exploitation}"')
    if child is not None:
        qs = qs.filter(is_child=child)
    if opened_from:
        qs = qs.filter(opened_on__gte=opened_from)
    if opened_to:
        qs = qs.filter(opened_on__lte=opened_to)
    if subject_ids is not None:
        qs = qs.filter(subject_id__in=subject_ids)
    return qs.order_by("-opened_on", "-created_at")


def case_rows(cases: QuerySet[Case]) -> list[dict]:
    """The rows of a case list page as plain values: one query for the cases with their subjects,
    one for the caseworkers' names, names decrypted once. Plain dicts keep the template's work
    to lookups (model attribute chains and a related manager per row cost more than the SQL);
    the status labels and the detail link are worked out once, not once per row."""
    import uuid


    cases = list(cases.select_related("subject").only(
        "pk", "reference", "is_child", "status", "opened_on", "created_at", "subject__id",
        "subject__organisation_id", "subject__kek_id", "subject__wrapped_key",
        "subject__display_name", "subject__erased_at"))
    names: dict = {}
    through = Case.assignees.through
    for case_id, full_name in (through.objects.filter(case_id__in=[c.pk for c in cases])
                               .order_by("user__full_name")
                               .values_list("case_id", "user__full_name")):
        names.setdefault(case_id, []).append(full_name)
    labels = {value: str(label) for value, label in CaseStatus.choices}
    placeholder = uuid.UUID(int=0)
    before, after = reverse("cases:detail", args=[placeholder]).split(str(placeholder))
    rows = []
    for case in cases:
        subject = case.subject
        rows.append({
            "pk": case.pk, "url": f"{before}{case.pk}{after}", "reference": case.reference,
            "is_child": case.is_child, "anonymous": subject is None,
            "erased": subject is not None and subject.is_erased,
            "name": subject.display_name if subject is not None and not subject.is_erased
            else "",
            "status": labels.get(case.status, case.status), "status_code": case.status,
            "opened_on": case.opened_on,
            "assignees": ", ".join(names.get(case.pk, [])),
        })
    return rows


def _json_contains() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def case_timeline(case: Case) -> list[dict]:
    """What happened in a case, newest first, from the audit log (codes only), with
    translated labels for the actions and their details."""
    from bridgeway.cases.labels import timeline_entries
    from bridgeway.protection.models import AuditEvent

    related = [str(case.pk)]
    for manager in (case.notes, case.services, case.assessments, case.decisions,
                    case.objectives, case.tasks, case.events, case.perpetrators):
        related += [str(pk) for pk in manager.values_list("pk", flat=True)]
    from bridgeway.cases.registry import timeline_objects

    for objects in timeline_objects():
        related += objects(case)
    events = (AuditEvent.objects.filter(organisation=case.organisation, object_id__in=related)
              .select_related("actor").order_by("-seq")[:200])
    return timeline_entries(events)


# --- what a referral shares -------------------------------------------------------------------

def shared_case_data(case: Case, sections: Iterable[str]) -> dict:
    """The chosen sections of a case, read live (never copied). Only the fields of those
    sections are decrypted, so nothing else is read, shown or logged as seen."""
    from bridgeway.orgs.codes import country_name

    sections = set(sections)
    out: dict = {}
    person = case_person(case) if sections & {"identity", "contact"} \
        else None
    if "identity" in sections:
        out["identity"] = {
            "first_name": person.first_name if person else None,
            "second_name": person.second_name if person else None,
            "birth_date": person.birth_date if person else None,
            "age_at_intake": case.age_at_intake,
            "gender": case.gender, "gender_label": case.get_gender_display(),
            "citizenship": case.citizenship,
            "citizenship_label": country_name(case.citizenship) if case.citizenship else "",
        }
    if "contact" in sections:
        out["contact"] = {"phone": person.phone if person else None,
                          "email": person.email if person else None,
                          "address": person.address if person else None}
    if "victim_context" in sections:
        out["victim_context"] = {
            "is_child": case.is_child,
            "trafficking_status": case.trafficking_status,
            "exploitation_types": list(case.exploitation_types or []),
            "forced_labour_industry": case.forced_labour_industry,
            "recruitment_methods": list(case.recruitment_methods or []),
            "control_methods": list(case.control_methods or []),
            "relationship_to_trafficker": case.relationship_to_trafficker,
            "recruitment_country": case.recruitment_country,
            "exploitation_country": case.exploitation_country,
            "events": [{"kind": e.kind, "country": e.country, "place": e.place,
                        "date_from": e.date_from, "date_to": e.date_to}
                       for e in with_case_subject(case, case.events.all())],
        }
    if "identification" in sections:
        out["identification"] = {
            "assessments": [{"assessed_on": a.assessed_on, "indicator_set": a.indicator_set.label,
                             "version": a.indicator_set.version,
                             "decision_org": a.decision_org,
                             "indicators": sorted(i.indicator_id for i in a.indicators.all()),
                             "indicates_trafficking": bool(a.result.get("indicates_trafficking")),
                             # The "why" in the reader's language, from the stored counts.
                             "dimensions": [{"label": d["label"], "reason": d["why"]}
                                            for d in explain(a.result, rule=a.indicator_set.rule)
                                            ["dimensions"]]}
                            for a in case.assessments.select_related("indicator_set")
                            .prefetch_related("indicators")],
            "decisions": [{"status": d.status, "status_label": d.get_status_display(),
                           "decision_org": d.decision_org, "decided_on": d.decided_on,
                           "state": d.state}
                          for d in case.decisions.all()],
        }
    if "needs" in sections:
        out["needs"] = {"objectives": [{"objective": o.objective, "due_on": o.due_on,
                                        "done_on": o.done_on}
                                       for o in with_case_subject(case, case.objectives.all())]}
    return out


def case_count(org: Organisation) -> int:
    """How many cases `org` holds (a number only; callers check the asking user's rights)."""
    return Case.objects.filter(organisation=org).count()


def coded_case_rows(org: Organisation) -> list[dict]:
    """The coded (non-identifying) fields of every case of `org`, for statistics and exports.
    Callers check the asking user's rights; this reads no personal data."""
    return list(Case.objects.filter(organisation=org).order_by("opened_on", "created_at").values(
        "pk", "subject_id", "status", "opened_on", "is_child", "age_at_intake", "gender",
        "citizenship", "trafficking_status", "exploitation_types", "forced_labour_industry",
        "recruitment_methods", "control_methods", "relationship_to_trafficker",
        "recruitment_country", "exploitation_country"))


def service_codes_by_case(org: Organisation) -> dict:
    """The kinds of service delivered in each of `org`'s cases (codes only), for statistics."""
    out: dict = {}
    for case_id, service in (ServiceDelivery.objects.filter(case__organisation=org)
                             .values_list("case_id", "service")):
        codes = out.setdefault(case_id, [])
        if service not in codes:
            codes.append(service)
    return out


def personal_case_fields(org: Organisation) -> dict:
    """Decrypted names, date of birth and contacts of `org`'s cases, keyed by case id, with the
    data subject (for the access log). Only for an audited export by someone allowed to."""
    return _personal_fields(Person.objects.filter(case__organisation=org))


def personal_case_fields_of(cases: Iterable[Case]) -> dict:
    """The same for a few given cases (e.g. a pair of possible duplicates under review)."""
    return _personal_fields(Person.objects.filter(case__in=[c.pk for c in cases]))


def _personal_fields(persons: QuerySet[Person]) -> dict:
    from bridgeway.protection.crypto import SubjectErased

    out = {}
    for person in persons.select_related("subject"):
        try:
            out[person.case_id] = {
                "subject": person.subject, "first_name": person.first_name or "",
                "second_name": person.second_name or "",
                "birth_date": person.birth_date.isoformat() if person.birth_date else "",
                "email": person.email or "", "phone": person.phone or ""}
        except SubjectErased:
            continue
    return out


# --- identification ---------------------------------------------------------------------------

def identification_side_by_side(decisions: Iterable[Decision]) -> dict:
    """The organisation's own (CSO) decision in force beside the formal state identification,
    the latest of each; `differ` when both exist and their statuses differ. `decisions` are
    ordered newest first."""
    def formal(d: Decision) -> bool:
        return d.received_from_state or d.decision_org in FORMAL_DECISION_ORGS

    in_force = [d for d in decisions if d.state == Decision.State.IN_FORCE]
    cso = next((d for d in in_force if not formal(d)), None)
    state = next((d for d in in_force if formal(d)), None)
    return {"cso": cso, "formal": state,
            "differ": bool(cso and state and cso.status != state.status)}


def assessment_details(assessments: Iterable[Assessment], *,
                       subject: DataSubject | None = None) -> list[dict]:
    """Each assessment with its "why" (built now, in the reader's language, from the stored
    codes and counts) and its recorded indicators grouped by dimension, with strength, source and
    note. Notes are decrypted here: call it only where the case's reading is logged."""
    sources = dict(IndicatorSource.choices)
    details = []
    for assessment in assessments:
        if subject is not None and assessment.subject_id == subject.pk:
            assessment.subject = subject  # its note: one key unwrap, no query
        data = assessment.indicator_set.data
        # The set's own translations (its data), English where one is missing.
        shown = localise(data, label=assessment.indicator_set.label)
        labels = shown.dimension_labels()
        texts = shown.texts()
        recorded = {}
        for row in assessment.indicators.all():
            if subject is not None and row.subject_id == subject.pk:
                row.subject = subject  # loaded with the case: one key unwrap, no query
            recorded[row.indicator_id] = row
        groups = []
        for dim in data["dimensions"]:
            rows = [{"id": ind["id"], "text": texts.get(ind["id"], ind.get("text", ind["id"])),
                     "strength": ind.get("strength", ""),
                     "strength_label": strength_label(ind.get("strength", "")),
                     "uncertain": bool(ind.get("uncertain")),
                     "source": recorded[ind["id"]].source,
                     "source_label": str(sources.get(recorded[ind["id"]].source,
                                                     recorded[ind["id"]].source)),
                     "note": recorded[ind["id"]].note or ""}
                    for ind in dim["indicators"] if ind["id"] in recorded]
            if rows:
                groups.append({"id": dim["id"],
                               "label": dimension_label(dim["id"], labels[dim["id"]]),
                               "indicators": rows})
        details.append({"assessment": assessment, "groups": groups, "set_label": shown.label.text,
                        "why": explain(assessment.result, rule=assessment.indicator_set.rule,
                                       labels=labels)})
    return details


def assessment_preview(case: Case, indicator_set: IndicatorSet, ticked: set[str]) -> dict:
    """What the combination rule gives for the indicators ticked so far, with its "why" in the
    reader's language (the set's own labels): the same evaluation `assessment_record` stores,
    so the server stays the authority. Reads nothing personal, saves nothing; ids the set does
    not have are left out."""
    present = ticked & indicator_set.indicator_ids()
    result = evaluate(indicator_set.data, present, child=case.is_child,
                      rule=indicator_set.rule).as_dict()
    labels = localise(indicator_set.data, label=indicator_set.label).dimension_labels()
    return {"indicates": result["indicates_trafficking"], "ticked": len(present),
            "why": explain(result, rule=indicator_set.rule, labels=labels)}


# --- home queues (registered in cases/home.py) -------------------------------------------------
# References, statuses and dates only: nothing is decrypted, so the home page reads no personal
# data and logs no access. Each runs one count and one page of rows, whatever the queue's size.

TASKS_AHEAD_DAYS = 7
APPROVAL_URGENT_AFTER_DAYS = 3


@prepared
def _my_open_cases(*, user_id: int, orgs: list[int]) -> QuerySet[Case]:
    # Assigned and in one of the user's case organisations is what cases_visible_to() lets a
    # caseworker see; written directly, without its own test of the assignment, which doubled
    # the subquery and misled PostgreSQL's row estimate.
    assigned = case_ids_assigned_to(user_id)
    return Case.objects.filter(pk__in=assigned, organisation_id__in=orgs,
                               status__in=OPEN_STATUSES).exclude(subject_id__in=erased_subjects())


def home_my_cases(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """The open cases assigned to the user, newest first (the organisation's cases walked by
    opening date, so the page stops at the first few however many are assigned)."""
    orgs = sorted(o.pk for o in case_orgs(user))
    if not orgs:
        return 0, []
    qs = _my_open_cases(user_id=user.pk, orgs=orgs)
    count, rows = count_and_page(qs, qs.order_by("-opened_on", "-created_at").values(
        "pk", "reference", "status", "opened_on", "is_child", "updated_at"), limit)
    labels = dict(CaseStatus.choices)
    url_of = url_maker("cases:detail")
    return count, [QueueItem(
        label=row["reference"], url=url_of(row["pk"]),
        since=row["updated_at"],
        detail=" · ".join(str(x) for x in (
            labels.get(row["status"], row["status"]),
            _("child") if row["is_child"] else "",
            _("opened %(date)s") % {"date": _date(row["opened_on"])}) if x))
        for row in rows]


@prepared
def _tasks_waiting(*, user_id: int, supervised: list[int], worked: list[int],
                   until: date, per_row: bool) -> QuerySet[CaseTask]:
    return CaseTask.objects.filter(
        _visible("case__", user_id, supervised, worked, per_row=per_row), assignee_id=user_id,
        done_at__isnull=True, due_on__lte=until).exclude(subject_id__in=erased_subjects())


def tasks_waiting(user: User, *, per_row: bool = False) -> Prepared | None:
    """The user's open tasks due within a week or overdue, in visible cases (None: no cases).
    `per_row`: for the first page (_visible); the count hashes the user's assignments."""
    supervised, worked = _case_org_ids(user)
    if not supervised and not worked:
        return None
    return _tasks_waiting(user_id=user.pk, supervised=supervised, worked=worked,
                          until=timezone.localdate() + timedelta(days=TASKS_AHEAD_DAYS),
                          per_row=per_row)


def home_tasks(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    """The user's open tasks due within a week or overdue, in visible cases, soonest due first."""
    today = timezone.localdate()
    qs = tasks_waiting(user)
    if qs is None:
        return 0, []
    # The first page on the same inputs (organisations, the week's end), tested row by row.
    page = _tasks_waiting(**{**qs.inputs, "per_row": True})
    count, rows = count_and_page(qs, page.order_by("due_on", "-created_at").values(
        "case_id", "case__reference", "due_on", "created_at"), limit)
    url_of = url_maker("cases:work")
    return count, [QueueItem(
        label=_("Task in case %(ref)s") % {"ref": row["case__reference"]},
        url=url_of(row["case_id"]), due=row["due_on"],
        since=row["created_at"],
        urgency=URGENT if row["due_on"] < today else SOON if row["due_on"] == today else 0,
        detail=_("overdue") if row["due_on"] < today else _("due today")
        if row["due_on"] == today else "")
        for row in rows]


@prepared
def _awaiting_approval(*, user_id: int, supervised: list[int]) -> QuerySet[Decision]:
    return (Decision.objects.filter(state=Decision.State.AWAITING_APPROVAL,
                                    case__organisation_id__in=supervised)
            .exclude(decided_by_id=user_id).exclude(case__subject_id__in=erased_subjects())
            .order_by("created_at", "pk"))


def decisions_awaiting_approval(user: User) -> Prepared:
    """Decisions waiting for a supervisor's approval in the organisations the user supervises
    (the organisation holding the case now), but not the user's own, longest waiting first.
    Decisions about an erased person are left out: nothing remains to review. (A prepared
    query: `.queryset()` for model instances.)"""
    supervised = sorted(o.pk for o in orgs_where(user, [Role.SUPERVISOR]))
    return _awaiting_approval(user_id=user.pk, supervised=supervised)


def home_approvals(user: User, limit: int) -> tuple[int, list[QueueItem]]:
    qs = decisions_awaiting_approval(user)
    count, rows = count_and_page(qs, qs.values(
        "case_id", "case__reference", "status", "decided_on", "created_at",
        "decided_by__full_name"), limit)
    statuses = dict(TraffickingStatus.choices)
    urgent_before = timezone.now() - timedelta(days=APPROVAL_URGENT_AFTER_DAYS)
    url_of = url_maker("cases:detail")
    return count, [QueueItem(
        label=_("Decision in case %(ref)s: %(status)s") % {
            "ref": row["case__reference"], "status": statuses.get(row["status"], row["status"])},
        url=url_of(row["case_id"]) + "#id-h",
        since=row["created_at"], urgency=URGENT if row["created_at"] < urgent_before else 0,
        detail=_("recorded by %(name)s on %(date)s") % {
            "name": row["decided_by__full_name"] or "—", "date": _date(row["decided_on"])})
        for row in rows]


def _date(value: date | None) -> str:
    from django.utils.formats import date_format

    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def case_ids_assigned_to(user: User | int) -> QuerySet:
    """The ids of the cases the user (or the user of that id: prepared builders get ids) is
    assigned to, as a subquery (`case_id__in=`)."""
    return Case.assignees.through.objects.filter(
        user_id=user if isinstance(user, int) else user.pk).values("case_id")


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
    found = list(possible_duplicates(org, name)[:limit])
    mine = set(subjects_visible_to(actor, CASE_ROLES).filter(
        pk__in=[s.pk for s in found]).values_list("pk", flat=True))
    matches = IntakeMatches(visible=[s for s in found if s.pk in mine],
                            hidden=len(found) - len(mine))
    if matches.hidden:
        audit_record(action="cases.intake.unnamed_match", actor=actor, organisation=org,
                     payload={"count": matches.hidden})
    return matches


def case_settings_for(org: Organisation) -> CaseSettings:
    return CaseSettings.objects.filter(organisation=org).first() or CaseSettings(organisation=org)


def my_open_tasks(user: User) -> QuerySet[CaseTask]:
    """The user's open tasks in the cases they may see, soonest due first, then oldest first
    (the task list screen and the API's `my-tasks`)."""
    return (CaseTask.objects.filter(assignee=user, done_at__isnull=True,
                                    case__in=filtered_cases(user))
            .select_related("case", "subject").order_by("due_on", "created_at"))


def case_person(case: Case) -> Person | None:
    """The person record of a case (its fields decrypt on access), or None: a first contact has
    none. The caller has already checked that the user may see the case."""
    if Case.person.is_cached(case):  # joined by case_for_user(with_person=True)
        person = getattr(case, "person", None)
    else:
        person = Person.objects.filter(case=case).first()
    if person is not None:
        with_case_subject(case, [person])
    return person


def with_case_subject(case: Case, rows: Iterable[Any]) -> list[Any]:
    """`rows` of a case (notes, events, objectives, its person) as a list, each row of the
    case's own data subject given the subject the case already holds: decrypting a row's field
    needs its subject's data key, and each row would otherwise load the subject again (one
    query and one key unwrap per row). Rows of another subject (merged cases) load their own."""
    rows = list(rows)
    if case.subject_id is None or not Case.subject.is_cached(case):
        return rows
    for row in rows:
        if row.subject_id == case.subject_id:
            row.subject = case.subject
    return rows
