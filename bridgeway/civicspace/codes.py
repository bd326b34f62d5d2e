"""Coded values of the civic-space monitor. Stored values are codes; labels are translated.

The seeded restriction types live here (not only in the data migration) so that makemessages
finds their English labels; types a network adds carry their own label text.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Family(models.TextChoices):
    # The EU Fundamental Rights Agency's families, plus operational access from the seeds.
    REGULATORY = "regulatory", _("Regulatory environment")
    FINANCE = "finance", _("Finance and funding")
    PARTICIPATION = "participation", _("Participation")
    SAFE_SPACE = "safe_space", _("Safe space")
    OPERATIONAL_ACCESS = "operational_access", _("Operational access")


SEEDED_TYPES: list[tuple[str, str, object]] = [
    ("burdensome_registration", Family.REGULATORY, _("Burdensome registration")),
    ("restrictive_ngo_law", Family.REGULATORY, _("Restrictive NGO law")),
    ("foreign_agent_label", Family.REGULATORY, _("Foreign-agent labelling")),
    ("reporting_burden", Family.REGULATORY, _("Reporting burdens")),
    ("foreign_funding_restriction", Family.FINANCE, _("Foreign-funding restrictions")),
    ("funding_cut", Family.FINANCE, _("Funding cut or withdrawn")),
    ("discriminatory_criteria", Family.FINANCE, _("Discriminatory funding criteria")),
    ("no_long_term_funding", Family.FINANCE, _("No long-term funding")),
    ("excluded_consultation", Family.PARTICIPATION,
     _("Excluded from consultation on a law, strategy or national action plan")),
    ("feedback_ignored", Family.PARTICIPATION, _("Feedback ignored")),
    ("excluded_identification", Family.PARTICIPATION,
     _("Excluded from formal victim identification")),
    ("excluded_referral", Family.PARTICIPATION,
     _("Excluded from referral or coordination mechanisms")),
    ("prosecution_migration", Family.SAFE_SPACE,
     _("Prosecution or investigation for facilitating irregular migration or smuggling")),
    ("harassment", Family.SAFE_SPACE, _("Harassment and intimidation")),
    ("smear_campaign", Family.SAFE_SPACE,
     _("Smear campaign or vilification (including “gender ideology” attacks)")),
    ("surveillance", Family.SAFE_SPACE, _("Surveillance")),
    ("attack_on_staff", Family.SAFE_SPACE, _("Attack on staff")),
    ("denied_facility_access", Family.OPERATIONAL_ACCESS,
     _("Denied access to reception, detention or transit facilities")),
    ("denied_hotspot_access", Family.OPERATIONAL_ACCESS,
     _("Denied access to hotspots and at-risk areas")),
    ("denied_victim_access", Family.OPERATIONAL_ACCESS,
     _("Denied access to victims in proceedings")),
    ("training_obstructed", Family.OPERATIONAL_ACCESS,
     _("Training for state institutions postponed or suspended")),
]
SEEDED_LABELS = {code: label for code, _family, label in SEEDED_TYPES}


class Actor(models.TextChoices):
    NATIONAL_AUTHORITY = "national_authority", _("National authority")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    PARLIAMENT = "parliament", _("Parliament")
    JUDICIARY = "judiciary", _("Judiciary")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    MEDIA = "media", _("Media")
    RELIGIOUS_CONSERVATIVE = "religious_conservative", _("Religious or conservative group")
    OTHER_NON_STATE = "other_non_state", _("Other non-state actor")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    SEVERE = 4, _("Severe")


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    UNDER_REVIEW = "under_review", _("Under review")
    VERIFIED = "verified", _("Verified")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Visibility(models.TextChoices):
    ORGANISATION = "organisation", _("The reporting organisation (and the network's coordinators)")
    NETWORK = "network", _("The network")
    PUBLIC = "public", _("The public")


class Civicus(models.TextChoices):
    OPEN = "open", _("Open")
    NARROWED = "narrowed", _("Narrowed")
    OBSTRUCTED = "obstructed", _("Obstructed")
    REPRESSED = "repressed", _("Repressed")
    CLOSED = "closed", _("Closed")


class Trend(models.TextChoices):
    IMPROVING = "improving", _("Improving")
    STABLE = "stable", _("Stable")
    WORSENING = "worsening", _("Worsening")


class ConsultationKind(models.TextChoices):
    LAW = "law", _("Law")
    STRATEGY = "strategy", _("Strategy")
    NATIONAL_ACTION_PLAN = "nap", _("National action plan")


class ConsultationStage(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Consultation closed")
    ADOPTED = "adopted", _("Adopted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Method(models.TextChoices):
    NONE = "", _("—")
    WRITTEN = "written", _("Written submission")
    HEARING = "hearing", _("Hearing")
    WORKING_GROUP = "working_group", _("Working group")


class Feedback(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")
