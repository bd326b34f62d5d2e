"""Outreach records. Text that could locate or name a person (the place of an activity, its
follow-ups, who was met on a visit) is sealed with the record's own data key, wrapped by the
organisation's key-encryption key (see sealing.py); every other field is a code, a count or a
date that the network views may add up."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.orgs.models import Organisation
from bridgeway.outreach.codes import (
    ActivityKind,
    Basis,
    FacilityType,
    InstitutionType,
    Outcome,
    TrainingStatus,
)


class SealedRecord(models.Model):
    """What every field record shares: the owning organisation, who wrote it, the version the
    sync compares, the record's data key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)
    wrapped_key = models.BinaryField(null=True, editable=False)
    kek_id = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Activity(SealedRecord):
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    partners = models.ManyToManyField(Organisation, blank=True, related_name="+",
                                      verbose_name=_("partner organisations"))
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=120, blank=True)
    place_sealed = models.BinaryField(null=True, editable=False)
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    reached_total = models.PositiveIntegerField(_("people reached"), default=0)
    reached_female = models.PositiveIntegerField(_("women and girls"), default=0)
    reached_male = models.PositiveIntegerField(_("men and boys"), default=0)
    reached_sex_other = models.PositiveIntegerField(_("other or not known (sex)"), default=0)
    reached_age_0_17 = models.PositiveIntegerField(_("aged 0–17"), default=0)
    reached_age_18_59 = models.PositiveIntegerField(_("aged 18–59"), default=0)
    reached_age_60 = models.PositiveIntegerField(_("aged 60 and over"), default=0)
    reached_age_unknown = models.PositiveIntegerField(_("age not known"), default=0)
    materials = models.CharField(_("materials used"), max_length=300, blank=True)
    languages = models.JSONField(_("languages used"), default=list, blank=True)
    potential_victims = models.PositiveIntegerField(_("potential victims met"), default=0)
    follow_up_sealed = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["-started_on", "-created_at"]
        verbose_name = _("activity")
        indexes = [models.Index(fields=["organisation", "-started_on"]),
                   models.Index(fields=["started_on", "country", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class Facility(models.Model):
    """A reception, detention or transit centre, border post, shelter or labour site: one entry
    per place, shared by the organisations of a network (no personal data)."""

    network = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("network"))
    added_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    facility_type = models.CharField(_("type"), max_length=20, choices=FacilityType.choices)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region or city"), max_length=120, blank=True)
    authority = models.CharField(_("authority in charge"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name


class AccessRequest(SealedRecord):
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="requests",
                                 verbose_name=_("facility"))
    requested_on = models.DateField(_("requested on"))
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices,
                               default=Outcome.PENDING)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    reason_given = models.TextField(_("reason given"), max_length=2000, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    people_met_sealed = models.BinaryField(null=True, editable=False)
    presumed_victims = models.PositiveIntegerField(_("presumed victims identified"), default=0)
    referrals_made = models.PositiveIntegerField(_("referrals made"), default=0)
    # The civic-space incident this refusal became (civicspace knows nothing of outreach).
    incident_id = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-requested_on", "-created_at"]
        verbose_name = _("access request")
        indexes = [models.Index(fields=["organisation", "outcome", "requested_on"]),
                   models.Index(fields=["requested_on", "outcome"])]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.requested_on}"


class Training(SealedRecord):
    institution_type = models.CharField(_("institution type"), max_length=30,
                                        choices=InstitutionType.choices)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2)
    topic = models.CharField(_("topic"), max_length=300)
    planned_on = models.DateField(_("planned date"))
    held_on = models.DateField(_("date held"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TrainingStatus.choices,
                              default=TrainingStatus.PLANNED)
    status_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    participants_female = models.PositiveIntegerField(_("women"), default=0)
    participants_male = models.PositiveIntegerField(_("men"), default=0)
    participants_sex_other = models.PositiveIntegerField(_("other or not known (sex)"),
                                                         default=0)
    participant_institutions = models.JSONField(_("participants by institution"), default=dict,
                                                blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    materials = models.CharField(_("materials"), max_length=300, blank=True)
    pre_score = models.DecimalField(_("evaluation before (score 0–100)"), max_digits=5,
                                    decimal_places=1, null=True, blank=True)
    post_score = models.DecimalField(_("evaluation after (score 0–100)"), max_digits=5,
                                     decimal_places=1, null=True, blank=True)
    basis = models.CharField(_("request or agreement"), max_length=20, choices=Basis.choices,
                             blank=True)
    incident_id = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-planned_on", "-created_at"]
        verbose_name = _("training")
        indexes = [models.Index(fields=["organisation", "status", "planned_on"]),
                   models.Index(fields=["planned_on", "status"])]

    def __str__(self) -> str:
        return f"{self.get_institution_type_display()} {self.planned_on}"

    @property
    def participants_total(self) -> int:
        return self.participants_female + self.participants_male + self.participants_sex_other


class SyncReceipt(models.Model):
    """One outbox entry the server has taken: a resend with the same client id gets the same
    answer, and a resend whose content differs is refused as tampered."""

    client_id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    record_id = models.UUIDField()
    digest = models.CharField(max_length=64)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.client_id)


class Summary(models.Model):
    """Running totals for the network view: one row per organisation, country, quarter, kind of
    record ("activity", "access", "training"), kind (activity kind, facility type, institution
    type) and status (access outcome, training status; empty for activities). Kept by the
    services in the same transaction as the record (see summary.py); counts only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("kind of record"), max_length=10)
    country = models.CharField(_("country"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    kind = models.CharField(_("kind"), max_length=30)
    status = models.CharField(_("status"), max_length=20, blank=True)
    n = models.IntegerField(_("number of records"), default=0)
    reached = models.BigIntegerField(_("people reached"), default=0)
    female = models.BigIntegerField(_("women and girls"), default=0)
    male = models.BigIntegerField(_("men and boys"), default=0)
    children = models.BigIntegerField(_("children"), default=0)
    victims = models.BigIntegerField(_("potential victims"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["organisation", "source", "country", "year", "quarter", "kind", "status"],
            name="outreach_summary_key")]
        indexes = [models.Index(fields=["source", "year", "organisation"])]

    def __str__(self) -> str:
        return f"{self.source} {self.year}-Q{self.quarter} {self.kind}"


class SummaryVersion(models.Model):
    """The version of an organisation's running totals: a new random number, in the same
    transaction, whenever its totals change (summary.py). The network view is kept in the cache
    under the versions of the organisations it adds up (network.cached_view), so a view kept
    from before a change is never found again. Random rather than counted: a rolled-back
    transaction or a database restored from a backup never meets a view kept under the same
    number for other totals."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        primary_key=True, related_name="+")
    version = models.BigIntegerField(_("version"))

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.version}"
