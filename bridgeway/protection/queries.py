from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from bridgeway.protection.models import AuditEvent


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
