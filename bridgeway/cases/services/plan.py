"""The support plan: notes, services delivered, objectives and tasks."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.cases.codes import ServiceOutcome
from bridgeway.cases.models import Case, CaseNote, CaseTask, PlanObjective, ServiceDelivery
from bridgeway.cases.queries import may_work_on
from bridgeway.cases.services.common import (
    _birth_bound,
    _check_case_role,
    _person_errors,
    _years_before,
    date_errors,
)
from bridgeway.orgs.codes import Service
from bridgeway.orgs.models import Organisation
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


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
    if not may_work_on(assignee, case):
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
