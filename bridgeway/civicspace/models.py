import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.codes import (
    SEEDED_LABELS,
    Answer,
    Civicus,
    ConsultationKind,
    ConsultationStage,
    Family,
    Feedback,
    Method,
    Severity,
    Status,
    Trend,
    Visibility,
)
from bridgeway.orgs.models import Organisation


class RestrictionType(models.Model):
    """The taxonomy as data. Seeded types (network empty) take their label from codes.py, so it is
    translated; a type a network adds carries its own label."""

    code = models.SlugField(_("code"), max_length=60)
    family = models.CharField(_("family"), max_length=30, choices=Family.choices)
    own_label = models.CharField(_("label"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    network = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family", "pk"]
        constraints = [models.UniqueConstraint("code", "network", name="civic_type_code_unique"),
                       models.UniqueConstraint("code", condition=models.Q(network__isnull=True),
                                               name="civic_seeded_type_code_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.network_id is None and self.code in SEEDED_LABELS:
            return str(SEEDED_LABELS[self.code])
        return self.own_label or self.code


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reporting_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    title = models.CharField(_("title"), max_length=200)
    # The language the title and description are written in (an interface language code), so
    # pages mark them with lang= and screen readers and translators know; blank: not said.
    language = models.CharField(_("language of the text"), max_length=10, blank=True)
    started_on = models.DateField(_("date (or start)"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region or city"), max_length=120, blank=True)
    actors = models.JSONField(_("actors"), default=list)
    types = models.ManyToManyField(RestrictionType, related_name="incidents",
                                   verbose_name=_("restriction types"))
    description = models.TextField(_("description"), max_length=8000)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices,
                                                default=Severity.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.REPORTED)
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices,
                                  default=Visibility.NETWORK)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, max_length=2000)
    # Per-incident data key for private documents, wrapped by a key-encryption key.
    wrapped_key = models.BinaryField(null=True, blank=True, editable=False)
    kek_id = models.CharField(max_length=40, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-created_at"]
        indexes = [models.Index(fields=["status", "visibility", "country"]),
                   models.Index(fields=["network", "status"]),
                   # A coordinator's incidents to verify in the home queue's order (most severe,
                   # then newest): the page is the index's first rows, not a sort (issue 18).
                   models.Index(fields=["network", "-severity", "-created_at"],
                                condition=models.Q(status__in=[Status.REPORTED, Status.UNDER_REVIEW,
                                                               Status.VERIFIED]),
                                name="civicspace_to_verify")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and self.visibility == Visibility.PUBLIC


class AffectedOrganisation(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    description = models.CharField(_("description"), max_length=200, blank=True,
                                   help_text=_("e.g. 'a women's rights CSO in the north'"))
    anonymous = models.BooleanField(_("keep anonymous"), default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"

    def public_label(self) -> str:
        if self.organisation_id and not self.anonymous:
            return self.organisation.name
        return self.description or str(_("An organisation (anonymous)"))


class Source(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(_("link"), max_length=500, blank=True)
    title = models.CharField(_("what it is"), max_length=200, blank=True)
    is_public = models.BooleanField(_("may be shown publicly"), default=False)
    document = models.OneToOneField("IncidentDocument", null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="source")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class IncidentDocument(models.Model):
    """A private document, sealed with the incident's own data key (never public)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="documents")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=80, unique=True)
    sealed_filename = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class IncidentVersion(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=20)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_fields = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number", "-pk"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class CountryAssessment(models.Model):
    network = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(_("country"), max_length=2)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"), null=True, blank=True)
    rating = models.CharField(_("rating (CIVICUS scale)"), max_length=20, choices=Civicus.choices)
    trend = models.CharField(_("trend"), max_length=20, choices=Trend.choices)
    justification = models.TextField(_("justification"), max_length=4000)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "-period_start"]
        constraints = [models.UniqueConstraint("network", "country", "period_start",
                                               name="civic_assessment_unique_period")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Consultation(models.Model):
    network = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(_("country"), max_length=2)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=ConsultationKind.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=ConsultationStage.choices)
    opened_on = models.DateField(_("opened on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE,
                                     related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    invited = models.CharField(_("invited?"), max_length=10, choices=Answer.choices,
                               default=Answer.UNKNOWN)
    submitted = models.CharField(_("submitted?"), max_length=10, choices=Answer.choices,
                                 default=Answer.UNKNOWN)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices, blank=True)
    feedback = models.CharField(_("feedback considered?"), max_length=10,
                                choices=Feedback.choices, default=Feedback.UNKNOWN)
    evidence = models.TextField(_("evidence"), blank=True, max_length=2000)
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint("consultation", "organisation",
                                               name="civic_participation_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"

    @property
    def is_exclusion(self) -> bool:
        return self.invited == Answer.NO or self.feedback == Feedback.NO
