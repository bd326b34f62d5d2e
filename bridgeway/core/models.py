"""The ground floor's own tables: the background-job framework's worker leases (`core.jobs`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerLease(models.Model):
    """One process that runs background jobs, and when it last said it was alive. A worker on
    this host is judged by its process; one on another host by `seen_at` (`core.jobs.alive`)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=64)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.worker_id


class BackgroundJob(models.Model):
    """What every job that runs in the background carries (docs/operations.md, "Background
    jobs"). The concrete model adds a `status` field using the values of `Status` (it may add
    its own finished states) and `created_at`, and may override the hooks below."""

    class Status:
        WAITING = "waiting"
        RUNNING = "running"
        FAILED = "failed"

    class Interruption(models.TextChoices):
        NONE = "", ""
        RESUMED = "resumed", _("The background worker stopped while this job ran; it was "
                               "started again from the beginning.")
        FAILED = "failed", _("The job was interrupted (the background worker stopped) and "
                             "nothing was saved. Start it again; if it stops again, ask the "
                             "platform administrator to look at the worker.")
        ERROR = "error", _("The job stopped with an unexpected error and nothing was saved. "
                           "Start it again; if it fails again, ask the platform administrator.")

    # The lease: which process runs the job (`core.jobs.worker_id`), and its last heartbeat.
    worker = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The django-tasks-db task queued for it ("" when it ran inside a request).
    task_id = models.CharField(max_length=64, blank=True)
    interruption = models.CharField(max_length=10, blank=True, choices=Interruption.choices)
    # Progress, written by the heartbeat while the job runs.
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The task that runs the job: a dotted path to a django.tasks Task taking the job's pk.
    job_task = ""

    class Meta:
        abstract = True

    @property
    def interruption_message(self) -> str:
        return str(self.get_interruption_display()) if self.interruption else ""

    # --- hooks ---------------------------------------------------------------------------
    def job_resumable(self) -> bool:
        """Whether the job can start again from the beginning (its input is still there)."""
        return True

    def job_cleanup(self) -> None:
        """Removes what the job leaves behind once it has failed for good (files, keys)."""

    def job_interrupted(self, *, resumed: bool) -> None:
        """Called after the framework resumed or failed the job (e.g. to write an audit
        event)."""

    @classmethod
    def job_sweep(cls) -> int:
        """Deletes leftovers (files) of jobs that ended or no longer exist; returns how many."""
        return 0
