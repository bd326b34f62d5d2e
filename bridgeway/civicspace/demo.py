"""What the demo seeder (bridgeway.demo) needs from civic space beyond its services."""

from __future__ import annotations

from bridgeway.civicspace.models import Consultation, RestrictionType
from bridgeway.orgs.models import Organisation


def already_seeded(network: Organisation) -> bool:
    return Consultation.objects.filter(network=network).exists()


def platform_restriction_type_ids() -> dict[str, int]:
    """code -> id of the restriction types every network shares."""
    return {t.code: t.pk for t in RestrictionType.objects.filter(network__isnull=True)}
