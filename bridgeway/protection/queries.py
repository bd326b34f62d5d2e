from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import orgs_where
from bridgeway.protection.models import (
    AccessLogEntry,
    AuditEvent,
    DataSubject,
    ErasureRequest,
)
from bridgeway.protection.registry import subject_visibility_rules

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


def audit_events_for_org(org: Organisation, *, action: str = "", actor_id: int | None = None,
                         since: date | None = None, until: date | None = None
                         ) -> QuerySet[AuditEvent]:
    """An organisation's events, newest first. The caller has checked the reader's role."""
    qs = AuditEvent.objects.filter(organisation=org).select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min), tz))
    if until:
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(until, time.max), tz))
    return qs.order_by("-seq")


def audit_action_codes(org: Organisation) -> list[str]:
    return list(AuditEvent.objects.filter(organisation=org).order_by("action")
                .values_list("action", flat=True).distinct())


# --- personal data -----------------------------------------------------------------------

CASE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
SUBJECT_ROLES = CASE_ROLES | {Role.DPO}


def subjects_visible_to(user: User, roles: Iterable[str] = SUBJECT_ROLES) -> QuerySet[DataSubject]:
    """The persons the user may open while acting in one of `roles`: every person of an
    organisation where they are supervisor or data protection officer (the officer sees
    metadata); where they are only a caseworker, the persons the registered rules let them see
    (cases: a person of a case only if the case is theirs; see registry.py). One query, however
    many rules: each rule is a condition on the person row."""
    roles = frozenset(roles)
    whole = {o.pk for o in orgs_where(user, roles & {Role.SUPERVISOR, Role.DPO})}
    worked = {o.pk for o in orgs_where(user, roles & {Role.CASEWORKER})} - whole
    if not whole and not worked:
        return DataSubject.objects.none()
    visible = Q(organisation_id__in=whole)
    if worked:
        narrowed = Q(organisation_id__in=worked)
        for rule in subject_visibility_rules():
            narrowed &= rule(user)
        visible |= narrowed
    return DataSubject.objects.filter(visible)


def subject_for_user(user: User, pk: UUID | str, roles: Iterable[str] = SUBJECT_ROLES) -> DataSubject:
    """The person if the user may open it in one of `roles` (see `subjects_visible_to`);
    otherwise 404, the same for a person who does not exist and one who is not theirs."""
    return get_or_404(subjects_visible_to(user, roles).select_related("organisation"), pk=pk)


def sees_names(user: User, org: Organisation) -> bool:
    """Case roles see names; a data protection officer sees metadata only."""
    from bridgeway.orgs.queries import roles_in

    return bool(roles_in(user, org) & CASE_ROLES)


def sees_name_of(user: User, subject: DataSubject) -> bool:
    """Whether the user sees this person's name: a supervisor of its organisation, or a
    caseworker who may open it as a caseworker (a data protection officer who is also a
    caseworker there sees the names of their own cases' persons only)."""
    from bridgeway.orgs.queries import roles_in

    roles = roles_in(user, subject.organisation)
    if Role.SUPERVISOR in roles:
        return True
    if Role.CASEWORKER not in roles:
        return False
    return subjects_visible_to(user, [Role.CASEWORKER]).filter(pk=subject.pk).exists()


def access_log_for_org(org: Organisation, *, user_id: int | str | None = None, flagged: bool = False,
                       subject_id: UUID | None = None) -> QuerySet[AccessLogEntry]:
    qs = AccessLogEntry.objects.filter(organisation=org).select_related("user", "subject")
    if user_id:
        qs = qs.filter(user_id=user_id)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    if flagged:
        qs = qs.exclude(flags=[])
    return qs.order_by("-at")


def erasure_requests_for_org(org: Organisation, *, pending_only: bool = True) -> QuerySet[ErasureRequest]:
    qs = ErasureRequest.objects.filter(organisation=org).select_related("subject")
    if pending_only:
        qs = qs.filter(status=ErasureRequest.Status.PENDING)
    return qs
