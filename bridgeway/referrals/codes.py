"""Coded values of referrals. Stored values are codes; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    """What the sender chooses to share; the recipient sees exactly these and nothing else."""

    IDENTITY = "identity", _("Identity (names, date of birth, gender, citizenship)")
    CONTACT = "contact", _("Contact (phone, e-mail, address)")
    VICTIM_CONTEXT = "victim_context", _("Victim context (coded facts and trafficking events)")
    IDENTIFICATION = "identification", _("Identification (assessments and decisions)")
    NEEDS = "needs", _("Needs (services requested and support-plan objectives)")
    DOCUMENTS = "documents", _("Documents")


class ReferralReason(models.TextChoices):  # HTCDS ref_ReferralReason
    ADDITIONAL_SERVICES = "AdditionalServicesRequired", _("Additional services required")
    MIGRATION = "MigrationOrChangeOfLocation", _("Migration or change of location")
    OTHER = "Other", _("Other")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Kind(models.TextChoices):
    NRM = "NRM", _("National referral (same country)")
    TRM = "TRM", _("Transnational referral (another country)")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    REVOKED = "revoked", _("Revoked by the sender")
    EXPIRED = "expired", _("Expired without an answer")
    HANDED_OVER = "handed_over", _("Handed over as an encrypted package")


# While a referral is in one of these, the recipient sees the shared sections. HANDED_OVER is
# only reached by referrals to an organisation not on the platform (no recipient side here).
ACTIVE_STATUSES = (Status.PENDING, Status.ACCEPTED, Status.HANDED_OVER)


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity at the moment")
    NOT_ELIGIBLE = "not_eligible", _("The person is not eligible for our services")
    SERVICE_UNAVAILABLE = "service_unavailable", _("The requested service is not available")
    OUT_OF_AREA = "out_of_area", _("Outside the area we serve")
    OTHER = "other", _("Other")
