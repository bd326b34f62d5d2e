"""Coded values of outreach work. Stored values are codes; labels are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Network views show a count from 1 to K - 1 as "<K", as the statistics dashboards do (k = 11,
# the CTDC threshold); stats sits above outreach, so the number is repeated here, not imported.
SUPPRESS_BELOW = 11

# More than this many people in one session, or one number of one record, is a typing error.
MAX_COUNT = 100_000

# An access request with no answer after this many days waits on the home page (and may be
# reported as a civic-space incident).
NO_ANSWER_DAYS = 14


class ActivityKind(models.TextChoices):
    OUTREACH_ROUND = "outreach_round", _("Outreach round")
    FIELD_VISIT = "field_visit", _("Field visit")
    PREVENTION = "prevention", _("Prevention or awareness session")
    ECONOMIC_EMPOWERMENT = "economic_empowerment", _("Economic-empowerment programme")
    COMMUNITY_MEETING = "community_meeting", _("Community meeting")


class TargetGroup(models.TextChoices):
    SEASONAL_WORKERS = "seasonal_workers", _("Seasonal workers")
    DOMESTIC_WORKERS = "domestic_workers", _("Domestic workers")
    REFUGEES = "refugees", _("Refugees and asylum seekers")
    MIGRANTS = "migrants", _("Migrant workers")
    CHILDREN = "children", _("Children")
    YOUTH = "youth", _("Young people")
    WOMEN = "women", _("Women at risk")
    SEX_WORKERS = "sex_workers", _("People in sex work")
    HOMELESS = "homeless", _("Homeless people")
    OTHER = "other", pgettext_lazy("target group", "Other")


# People reached: two margins of the same total (no names, never one person's row).
REACH_BY_SEX = [("reached_female", _("Women and girls")), ("reached_male", _("Men and boys")),
                ("reached_sex_other", _("Other or not known (sex)"))]
REACH_BY_AGE = [("reached_age_0_17", _("Aged 0–17")), ("reached_age_18_59", _("Aged 18–59")),
                ("reached_age_60", _("Aged 60 and over")),
                ("reached_age_unknown", _("Age not known"))]


class FacilityType(models.TextChoices):
    RECEPTION = "reception", _("Migrant reception centre")
    DETENTION = "detention", _("Detention centre")
    TRANSIT = "transit", _("Transit centre")
    BORDER_POST = "border_post", _("Border post")
    SHELTER = "shelter", _("Shelter")
    LABOUR_SITE = "labour_site", _("Labour site")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    GRANTED = "granted", _("Granted")
    CONDITIONS = "conditions", _("Granted with conditions")
    REFUSED = "refused", _("Refused")
    NO_ANSWER = "no_answer", _("No answer")


# Outcomes that can become a civic-space incident ("denial of access to facilities").
DENIALS = (Outcome.REFUSED, Outcome.NO_ANSWER)


class Condition(models.TextChoices):
    NO_PRIVATE_INTERVIEWS = "no_private_interviews", _("No private interviews")
    ESCORT = "escort", _("Escort present")
    TIME_LIMIT = "time_limit", _("Time limited")
    NO_INTERPRETER = "no_interpreter", _("No interpreter allowed")
    NO_MATERIALS = "no_materials", _("No materials may be handed out")
    PARTS_ONLY = "parts_only", _("Only parts of the facility")


class InstitutionType(models.TextChoices):
    POLICE = "police", _("Police")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    BORDER_GUARD = "border_guard", _("Border guard")
    JUDICIARY = "judiciary", _("Judiciary and prosecution")
    SOCIAL_SERVICES = "social_services", _("Social services")
    MIGRATION = "migration", _("Migration authority")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")


class TrainingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    POSTPONED = "postponed", _("Postponed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that need a reason, and those that can become a civic-space incident.
NEEDS_REASON = (TrainingStatus.POSTPONED, TrainingStatus.SUSPENDED, TrainingStatus.CANCELLED)
OBSTRUCTED = (TrainingStatus.POSTPONED, TrainingStatus.SUSPENDED)


class Basis(models.TextChoices):
    NONE = "", _("—")
    REQUEST = "request", _("At the institution's request")
    AGREEMENT = "agreement", _("Under an agreement with the institution")
    OFFER = "offer", _("Offered by the organisation")


PARTICIPANTS_BY_SEX = [("participants_female", _("Women")), ("participants_male", _("Men")),
                       ("participants_sex_other", _("Other or not known (sex)"))]


class Kind(models.TextChoices):
    """The three kinds of field record (sync and the outbox name them)."""

    ACTIVITY = "activity", _("Activity")
    ACCESS = "access", _("Facility visit / access request")
    TRAINING = "training", _("Training")
