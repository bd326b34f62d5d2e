"""Estimation: record linkage across a network's organisations on encodings only, estimates of
the hidden number (MSE), and duplicate review within one organisation.

No model here holds a name in clear. Encodings (CLKs) are keyed Bloom filters; the linkage
secret is sealed under the organisation's key-encryption key and never shown back; a capture
history is counts per pattern of lists; candidate pairs point to cases, and their explanation
holds comparison names, levels and weights, never values.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.core.models import BackgroundJob


class TaskStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EstimationJob(BackgroundJob):
    """A background task of this app on `core.jobs` (docs/operations.md, "Background jobs"):
    leased, with a heartbeat and progress (rows_done of rows_total); if its worker dies,
    `jobs.recover()` starts it again from the beginning (each task writes its results in one
    transaction, so a dead attempt left nothing) or marks it failed with a message. `error` holds
    the task's own reason when it failed on its input (e.g. a table that cannot be estimated)."""

    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.WAITING)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in (TaskStatus.DONE, TaskStatus.FAILED)

    @property
    def progress(self) -> int:
        """Percent done."""
        if self.status == TaskStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return max(0, min(100, int(100 * self.rows_done / self.rows_total)))

    @property
    def message(self) -> str:
        """What the person who started it reads: why it failed, or that it was started again
        after its worker stopped."""
        return self.error or self.interruption_message

    def job_interrupted(self, *, resumed: bool) -> None:
        from bridgeway.estimation import services

        services.job_interrupted(self, resumed=resumed)


class NetworkLinkageSettings(models.Model):
    """What a network decided about linkage: the threshold its coordinator uses and whether a
    member organisation may see which of its own cases are also known elsewhere."""

    network = models.OneToOneField("orgs.Organisation", on_delete=models.CASCADE,
                                   related_name="+")
    share_matches = models.BooleanField(
        _("members see which of their own cases are also known elsewhere"), default=False,
        help_text=_("Only for persons whose consent for statistics is recorded."))
    # The fingerprint (keyed by the secret) the first participant's secret gave: later secrets
    # and uploads must give the same one. It tells nothing about the secret itself.
    fingerprint = models.CharField(max_length=128, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"linkage settings of {self.network_id}"


class Participation(models.Model):
    """A member organisation takes part in its network's linkage. The shared linkage secret is
    sealed with a key wrapped by the organisation's KEK: the platform can encode the
    organisation's persons, nobody can read the secret back, the coordinator never holds it."""

    network = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    enabled = models.BooleanField(default=False)
    kek_id = models.CharField(max_length=40, blank=True)
    wrapped_key = models.BinaryField(null=True)
    sealed_secret = models.BinaryField(null=True)
    secret_set_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint("network", "organisation",
                                               name="estimation_participation_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.network_id}"

    @property
    def has_secret(self) -> bool:
        return self.sealed_secret is not None


class EncodingSet(models.Model):
    """One list's encodings for a network: computed on the platform for a participating member,
    or uploaded as the standalone encoder's CSV (a member's own, or, by the coordinator, the
    list of an organisation not on the platform). The newest set of each list is linked."""

    class Source(models.TextChoices):
        PLATFORM = "platform", _("Computed on the platform")
        UPLOAD = "upload", _("Uploaded file")

    network = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    # An off-platform list has a name instead of an organisation.
    list_name = models.CharField(_("list name"), max_length=120, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    fingerprint = models.CharField(max_length=128)
    count = models.PositiveIntegerField(default=0)
    # n × 128 bytes (1,024-bit CLKs), row i belongs to record_ids[i]: case ids on the platform,
    # the file's first column for an upload. Neither is ever shown to the coordinator.
    clks = models.BinaryField()
    record_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"encodings {self.pk}"

    @property
    def key(self) -> str:
        """Which list this is: the organisation, or the off-platform list's name."""
        return f"org:{self.organisation_id}" if self.organisation_id else f"name:{self.list_name}"


class EncodingJob(EstimationJob):
    """A member organisation's encodings being computed in the background."""

    job_task = "bridgeway.estimation.tasks.compute_encodings"

    network = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    encodings = models.ForeignKey(EncodingSet, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"encoding job {self.pk}"


class LinkageRun(EstimationJob):
    job_task = "bridgeway.estimation.tasks.link"

    network = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    threshold = models.FloatField(_("similarity threshold"))
    encoding_sets = models.ManyToManyField(EncodingSet, related_name="+")
    # [{"letter": "A", "label": "Org name or list name", "size": n}], in list order.
    lists = models.JSONField(default=list)
    # [{"pattern": "110", "count": n}]: observed capture histories, one character per list.
    histories = models.JSONField(default=list)
    clusters_across = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"linkage run {self.pk}"


class LinkageMatch(models.Model):
    """A platform record of a linkage run that was found in at least one other list: what a
    member organisation may be shown about its own cases (if the network allows and consent is
    recorded). `others` is how many other lists hold the same person."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="matches")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE,
                                     related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    others = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "run"])]

    def __str__(self) -> str:
        return f"match in run {self.run_id}"


class Estimate(EstimationJob):
    """A multiple systems estimate from a linkage run's capture histories or an uploaded table,
    owned by a network (its coordinators and researchers) or a researcher's organisation.
    Publishing needs a second person's approval (four eyes), as safe statistics do."""

    job_task = "bridgeway.estimation.tasks.estimate"

    class Method(models.TextChoices):
        STEPWISE = "stepwise", _("Stepwise selection of two-way interactions")
        MAIN = "main", _("Main effects only (independent lists)")

    class Release(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    title = models.CharField(_("title"), max_length=120)
    run = models.ForeignKey(LinkageRun, null=True, blank=True, on_delete=models.PROTECT,
                            related_name="estimates")
    # {"lists": [{"letter", "label"}], "rows": [{"pattern": "101", "count": n}]}
    table = models.JSONField(default=dict)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices,
                              default=Method.STEPWISE)
    pthresh = models.FloatField(_("p-value threshold"), default=0.02)
    bootstrap = models.PositiveIntegerField(_("bootstrap replicates"), default=1000)
    seed = models.PositiveIntegerField(default=2026)
    list_definitions = models.TextField(_("what each list counts"), blank=True, max_length=2000)
    result = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    release = models.CharField(max_length=10, choices=Release.choices, default=Release.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(
            condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F(
                "created_by")), name="estimation_estimate_four_eyes")]

    def __str__(self) -> str:
        return self.title


class DedupeRun(EstimationJob):
    job_task = "bridgeway.estimation.tasks.dedupe"

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    records = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"duplicate check {self.pk}"


class CandidatePair(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("To review")
        CONFIRMED = "confirmed", _("Same person")
        REJECTED = "rejected", _("Different persons")

    run = models.ForeignKey(DedupeRun, on_delete=models.CASCADE, related_name="pairs")
    case_a = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    case_b = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    # [{"comparison": "surname", "weight": 3.2}, ..., {"comparison": "prior", ...}]: match
    # weights per field (log2 Bayes factors), never values.
    explanation = models.JSONField(default=list)
    decision = models.CharField(max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]

    def __str__(self) -> str:
        return f"pair {self.pk}"
