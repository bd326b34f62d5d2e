"""Identification: indicator assessments, decisions, formal decisions and their approval."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
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
    DecisionOrg,
    IndicatorSource,
    TraffickingStatus,
)
from bridgeway.cases.models import Assessment, AssessmentIndicator, Case, CaseSettings, Decision, IndicatorSet
from bridgeway.cases.services.common import _birth_bound, _check_case_role, _person_errors, date_errors
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import roles_in
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


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
