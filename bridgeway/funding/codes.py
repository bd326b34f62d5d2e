"""Coded values of the funding app: funder types, grant statuses, indicators, where a figure
comes from. Stored values are the codes; people read the translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

BASE_CURRENCY = "EUR"  # imported rates are units of a currency per euro (as the ECB publishes)


class FunderType(models.TextChoices):
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    EU = "eu", _("European Union")
    FOREIGN_GOVERNMENT = "foreign_government", _("Foreign government")
    INTERNATIONAL = "international", _("International organisation / UN")
    FOUNDATION = "foundation", _("Private foundation")
    CORPORATE = "corporate", _("Corporate")
    INDIVIDUALS = "individuals", _("Individual donors")
    EARNED = "earned", _("Earned income")
    OTHER = "other", _("Other")


STATE_TYPES = frozenset({FunderType.NATIONAL_GOVERNMENT, FunderType.LOCAL_GOVERNMENT})
# Money from these is foreign whatever country the funder is registered in.
FOREIGN_TYPES = frozenset({FunderType.EU, FunderType.FOREIGN_GOVERNMENT,
                           FunderType.INTERNATIONAL})


class GrantStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    AWARDED = "awarded", _("Awarded")
    RECEIVED = "received", _("Received")
    ENDED = "ended", _("Ended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Indicator(models.TextChoices):
    STATE_SHARE = "state_share", _("Share of state funding")
    FOREIGN_SHARE = "foreign_share", _("Dependence on foreign funding")
    CORE_SHARE = "core_share", _("Share of core (unrestricted) money")
    RUNWAY = "runway_months", _("Months of runway")
    TOP_FUNDER = "top_funder_share", _("Share of the largest funder")
    HHI = "hhi", _("Concentration of funders (Herfindahl index)")
    LATE_SHARE = "late_share", _("Share of grants paid late")
    STAFF_AT_RISK = "staff_at_risk", _("Staff at risk")
    YOY = "yoy_change", _("Year-on-year change in income")


class Source(models.TextChoices):
    LEDGER = "ledger", _("Funding ledger")
    SURVEY = "survey", _("Survey answers")


class ThresholdDirection(models.TextChoices):
    BELOW = "below", _("below")
    ABOVE = "above", _("above")
