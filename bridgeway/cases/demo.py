"""What the demo seeder (bridgeway.demo) needs from cases beyond its services."""

from __future__ import annotations

from bridgeway.cases.indicator_sets import set_for as set_for
from bridgeway.cases.models import Case
from bridgeway.orgs.models import Organisation


def open_cases(org: Organisation) -> list[Case]:
    """The organisation's active cases of registered persons, oldest first."""
    return list(Case.objects.filter(organisation=org, status="Active", subject__isnull=False)
                .order_by("created_at"))
