"""The statistics store: de-identified case records (no names, no dates of birth, no free text),
grouped in datasets (one import, or an organisation's live cases), and the jobs that import them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridgeway.core.models import BackgroundJob
from bridgeway.stats import codes
from bridgeway.stats.codes import DatasetKind
from bridgeway.stats.fields import CodeSetField


class Dataset(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    kind = models.CharField(_("format"), max_length=10, choices=DatasetKind.choices)
    label = models.CharField(_("label"), max_length=120, blank=True)
    # SHA-256 of the imported file: importing the same file again adds nothing.
    source_sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint("organisation", "source_sha256",
                                    condition=~models.Q(source_sha256=""),
                                    name="stats_dataset_once_per_file"),
            models.UniqueConstraint("organisation", condition=models.Q(kind="live"),
                                    name="stats_one_live_dataset"),
        ]

    def __str__(self) -> str:
        return self.label or self.kind


def lock_dataset(pk) -> bool:
    """Takes the dataset's row lock until the transaction ends (PostgreSQL; SQLite serialises
    writers itself); False if the dataset no longer exists. Every service that writes or deletes
    a dataset's records, and every column-store rebuild, takes it before touching the records:
    StatRecord has no database foreign key, and the column store must not be built from records
    being replaced."""
    return bool(list(Dataset.objects.select_for_update().filter(pk=pk).values_list("pk")))


class StatRecord(models.Model):
    """One victim record as CTDC publishes them: codes only. Lists hold the codes whose flag
    was 1; `unreported` the CTDC columns that were blank (not recorded, or suppressed).
    The lists are stored as bit masks over append-only vocabularies (`codes.CODE_SETS`) and
    read back as lists of codes in vocabulary order.

    No database foreign-key constraints (issue 6: checking two per row was a third of the
    database's work in a million-row import): Django still deletes a dataset's records with it
    (CASCADE) and refuses to delete an organisation that has records (PROTECT), and records
    are only written by the services, for a dataset they have just created or locked."""

    # The dataset's organisation, repeated for the (organisation, year) index, which also
    # serves lookups by organisation: no index of its own.
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+", db_constraint=False, db_index=False)
    # Keeps its index: deleting a dataset finds its records by it.
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="records",
                                db_constraint=False)
    year_of_registration = models.PositiveSmallIntegerField(null=True, blank=True)
    datasource = models.CharField(max_length=20, blank=True)
    gender = models.CharField(max_length=30, blank=True)
    age_band = models.CharField(max_length=6, blank=True)
    majority_status = models.CharField(max_length=5, blank=True)
    majority_at_exploit = models.CharField(max_length=5, blank=True)
    majority_entry = models.CharField(max_length=5, blank=True)
    is_child = models.BooleanField(null=True)
    citizenship = models.CharField(max_length=2, blank=True)
    country_of_exploitation = models.CharField(max_length=2, blank=True)
    country_of_recruitment = models.CharField(max_length=2, blank=True)
    means_of_control = CodeSetField(codes=codes.MEANS_OF_CONTROL_CODES)
    exploitation = CodeSetField(codes=codes.EXPLOITATION_CODES)
    labour_types = CodeSetField(codes=codes.LABOUR_CODES)
    sex_types = CodeSetField(codes=codes.SEX_CODES)
    recruiter_relations = CodeSetField(codes=codes.RECRUITER_CODES)
    is_abduction = models.BooleanField(null=True)
    # HTCDS fields CTDC does not carry.
    forced_labour_industry = models.CharField(max_length=60, blank=True)
    trafficking_status = models.CharField(max_length=40, blank=True)
    recruitment_methods = CodeSetField(codes=codes.RECRUITMENT_CODES)
    # Kinds of service delivered (orgs Service codes): live cases only, no file format has them.
    services = CodeSetField(codes=codes.SERVICE_CODES)
    unreported = CodeSetField(codes=codes.UNREPORTED_CODES)
    # The record's key for perturbing published counts (`stats.disclosure`), 0..255: set by the
    # live refresh from the case (so refreshing the same cases gives the same keys); blank for
    # imported records, whose key is derived from their dataset and position when the column
    # store is built.
    record_key = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "year_of_registration"])]

    def __str__(self) -> str:
        return str(self.pk)


class DatasetColumn(models.Model):
    """One quasi-identifier of a dataset's records stored as a column, so a cross-tab counts
    combinations with numpy instead of asking the database to group a million rows: the
    distinct raw values (JSON, in first-seen order) and one integer code per record (an index
    into `values`; a numpy array of `dtype`, zlib-compressed). The columns of one dataset are
    aligned: position i of every column is the same record. A derived copy of StatRecord: it
    is dropped and rebuilt whenever the dataset's records are written, and a column whose
    `rows` differs from the dataset's is never read."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="columns")
    dimension = models.CharField(max_length=40)
    dtype = models.CharField(max_length=8)
    values = models.JSONField(default=list)
    codes = models.BinaryField()
    rows = models.PositiveIntegerField()
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint("dataset", "dimension",
                                               name="stats_datasetcolumn_once")]

    def __str__(self) -> str:
        return self.dimension


class DatasetTally(models.Model):
    """Pre-computed counts of a dataset for the dashboards: for each chart's field, per year of
    registration and value, the number of records and the sum of their record keys (the cell
    key of `stats.disclosure`). A dashboard adds these up over the datasets and years asked
    for, so it never reads the records. Derived like the column store: built with it
    (`columns.rebuild`), dropped with the dataset, and never read when `rows` differs from the
    dataset's or `version` from `columns.TALLY_VERSION`."""

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="tally")
    rows = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    counts = models.JSONField(default=dict)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.dataset_id)


class ImportJob(BackgroundJob):
    """An upload being checked or imported in the background (`core.jobs`: leased, resumed or
    failed with a message if its worker dies, leftovers swept)."""

    job_task = "bridgeway.stats.tasks.run_import"

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        DUPLICATE = "duplicate", _("Already imported")
        FAILED = "failed", _("Not imported")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=10, choices=DatasetKind.choices)
    label = models.CharField(max_length=120, blank=True)
    file_type = models.CharField(max_length=5)  # csv or xlsx
    dry_run = models.BooleanField(default=False)
    size = models.PositiveBigIntegerField(default=0)
    # The upload waits under var/imports/, sealed with this job's own key (wrapped by the KEK),
    # and is deleted when the job ends.
    kek_id = models.CharField(max_length=40, blank=True)
    wrapped_key = models.BinaryField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    report = models.JSONField(default=dict)
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.DUPLICATE):
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.DUPLICATE, self.Status.FAILED)

    def job_resumable(self) -> bool:
        from bridgeway.stats import services

        return services.job_input_present(self)

    def job_cleanup(self) -> None:
        from bridgeway.stats import services

        services.job_discard_input(self)

    def job_interrupted(self, *, resumed: bool) -> None:
        from bridgeway.stats import services

        services.job_interrupted(self, resumed=resumed)

    @classmethod
    def job_sweep(cls) -> int:
        from bridgeway.stats import services

        return services.job_sweep()


class ExportJob(BackgroundJob):
    """An export too large to build inside a request (`BRIDGEWAY_STATS_INLINE_EXPORT_ROWS`),
    built by the worker (`core.jobs`). The file waits sealed under BRIDGEWAY_EXPORT_DIR with
    this job's own key (wrapped by the KEK) until its creator downloads it, then is deleted; the
    jobs sweep deletes one not downloaded within BRIDGEWAY_EXPORT_KEEP_HOURS."""

    job_task = "bridgeway.stats.tasks.run_export"

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready to download")
        GONE = "gone", _("Downloaded or expired")
        FAILED = "failed", _("Not exported")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    layout = models.CharField(max_length=12)  # one of exporting.FORMATS
    personal = models.BooleanField(default=False)
    screen = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    kek_id = models.CharField(max_length=40, blank=True)
    wrapped_key = models.BinaryField(null=True)
    size = models.PositiveBigIntegerField(default=0)
    # Why it was refused when the worker re-checked (e.g. the role was withdrawn meanwhile).
    problem = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def message(self) -> str:
        return self.problem or self.interruption_message

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.GONE):
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.GONE, self.Status.FAILED)

    def job_cleanup(self) -> None:
        from bridgeway.stats import services

        services.job_discard_input(self)

    def job_interrupted(self, *, resumed: bool) -> None:
        from bridgeway.stats import services

        services.export_interrupted(self, resumed=resumed)

    @classmethod
    def job_sweep(cls) -> int:
        from bridgeway.stats import services

        return services.export_sweep()


class Release(models.Model):
    """A table meant for publication, built from one dataset by a method that makes it safe:
    k-anonymity (cross-tab or record-level extract) or differentially private counts. It needs
    a second person's approval before it can be published."""

    class Kind(models.TextChoices):
        CROSSTAB = "crosstab", _("Cross-tabulation (k-anonymous)")
        EXTRACT = "extract", _("Record-level extract (k-anonymous)")
        DP_COUNTS = "dp_counts", _("Differentially private counts")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="releases")
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("method"), max_length=10, choices=Kind.choices)
    dimensions = models.JSONField(default=list)
    k = models.PositiveSmallIntegerField(default=11)
    epsilon = models.FloatField(null=True, blank=True)
    generalisations = models.JSONField(default=list)
    suppressed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(
            condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F(
                "created_by")), name="stats_release_four_eyes")]

    def __str__(self) -> str:
        return self.title


class PrivacyBudget(models.Model):
    """The total ε that differentially private queries may spend on one dataset."""

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="budget")
    total_epsilon = models.FloatField(_("total ε"), default=1.0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.total_epsilon)


class BudgetEntry(models.Model):
    """One spending of ε: how much, by whom, for what, when."""

    budget = models.ForeignKey(PrivacyBudget, on_delete=models.CASCADE, related_name="entries")
    epsilon = models.FloatField()
    spent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    purpose = models.CharField(max_length=200)
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    spent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["spent_at"]

    def __str__(self) -> str:
        return str(self.epsilon)
