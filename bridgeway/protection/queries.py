from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import orgs_where
from bridgeway.protection.models import (
    AccessLogEntry,
    AuditEvent,
    DataSubject,
    ErasureRequest,
)


def audit_events_for_org(org, *, action: str = "", actor_id: int | None = None,
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


def audit_action_codes(org) -> list[str]:
    return list(AuditEvent.objects.filter(organisation=org).order_by("action")
                .values_list("action", flat=True).distinct())


# --- personal data -----------------------------------------------------------------------

CASE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
SUBJECT_ROLES = CASE_ROLES | {Role.DPO}


def subject_for_user(user, pk, roles=SUBJECT_ROLES) -> DataSubject:
    """The subject if the user holds one of `roles` in its organisation; otherwise 404."""
    org_ids = [o.pk for o in orgs_where(user, roles)]
    try:
        return DataSubject.objects.select_related("organisation").get(pk=pk,
                                                                      organisation_id__in=org_ids)
    except (DataSubject.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def sees_names(user, org) -> bool:
    """Case roles see names; a data protection officer sees metadata only."""
    from bridgeway.orgs.queries import roles_in

    return bool(roles_in(user, org) & CASE_ROLES)


def access_log_for_org(org, *, user_id=None, flagged=False, subject_id=None):
    qs = AccessLogEntry.objects.filter(organisation=org).select_related("user", "subject")
    if user_id:
        qs = qs.filter(user_id=user_id)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    if flagged:
        qs = qs.exclude(flags=[])
    return qs.order_by("-at")


def erasure_requests_for_org(org, *, pending_only=True):
    qs = ErasureRequest.objects.filter(organisation=org).select_related("subject")
    if pending_only:
        qs = qs.filter(status=ErasureRequest.Status.PENDING)
    return qs
