"""The background-job framework: a lease on every job, a heartbeat, progress, a failure message a
person can act on, and a sweep of what dead jobs leave behind (docs/operations.md, "Background
jobs").

A job is a row of a model derived from `core.models.BackgroundJob`; its django.tasks task gets
the row's pk only. The task runs the job inside `running(job)`, which claims it (only one process
can) and records which process holds it. A worker started with `manage.py worker` sends a
heartbeat every few seconds (its `WorkerLease`, and each job's progress and `heartbeat_at`).

`recover()` finds what a dead process left RUNNING, both our jobs and django-tasks-db's task
rows: a process on this host is dead when it no longer exists (exact, and immediate after a
`kill -9`); one on another host when its lease has not been renewed for
BRIDGEWAY_JOB_LEASE_SECONDS. A dead job is started again from the beginning (every job is
all-or-nothing, so a dead attempt left nothing behind in the database) while it has attempts
left and its input is still there; otherwise it is marked failed with a message. `worker` runs
`recover()` and `sweep()` when it starts and every BRIDGEWAY_JOB_RECOVER_SECONDS;
`manage.py jobs_recover` does the same from cron.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import F
from django.utils import timezone

from bridgeway.core.models import BackgroundJob, WorkerLease

logger = logging.getLogger("bridgeway.jobs")

WORKER_STOPPED = "bridgeway.core.jobs.WorkerStopped"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def lease_seconds() -> int:
    return _setting("BRIDGEWAY_JOB_LEASE_SECONDS", 120)


def heartbeat_seconds() -> float:
    return max(lease_seconds() / 6, 0.2)


def max_attempts() -> int:
    return _setting("BRIDGEWAY_JOB_MAX_ATTEMPTS", 2)


# --- who runs a job -----------------------------------------------------------------------

def _host() -> str:
    return socket.gethostname()[:30]


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux): with the pid it names one
    process, even after the pid is reused. None when the process does not exist or is a
    zombie (killed, not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    if not fields or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def worker_id(pid: int | None = None) -> str:
    """This process's name in leases: host, pid and start time (at most 64 characters)."""
    pid = pid or os.getpid()
    ticks = _start_ticks(pid) if os.path.exists("/proc") else "0"
    return f"{_host()}:{pid}:{ticks or 0}"


def _process_alive(pid: int, ticks: str) -> bool:
    if os.path.exists("/proc"):
        return _start_ticks(pid) == ticks
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def alive(owner: str, *, heartbeat_at=None) -> bool:
    """Whether the process named `owner` (a `worker_id`) still runs."""
    try:
        host, pid, ticks = owner.rsplit(":", 2)
        pid_number = int(pid)
    except ValueError:
        return False
    if host == _host():
        return _process_alive(pid_number, ticks)
    cutoff = timezone.now() - timedelta(seconds=lease_seconds())
    if heartbeat_at is not None and heartbeat_at >= cutoff:
        return True
    return WorkerLease.objects.filter(worker_id=owner, seen_at__gte=cutoff).exists()


# --- running a job ------------------------------------------------------------------------

@dataclass
class Run:
    """A job being run by this process: progress is kept here and written by the heartbeat
    (outside the job's own transaction, so a person sees it move)."""

    job: BackgroundJob
    rows_done: int = 0
    rows_total: int | None = None
    fields: dict = field(default_factory=dict)

    def progress(self, done: int, total: int | None = None) -> None:
        self.rows_done = done
        if total is not None:
            self.rows_total = total


_active: dict[tuple[type, int], Run] = {}
_active_lock = threading.Lock()


def claim(job: BackgroundJob) -> bool:
    """Takes the job's lease: only one process can move it from waiting to running."""
    model = type(job)
    now = timezone.now()
    me = worker_id()
    taken = model._default_manager.filter(pk=job.pk, status=BackgroundJob.Status.WAITING).update(
        status=BackgroundJob.Status.RUNNING, worker=me, heartbeat_at=now,
        attempts=F("attempts") + 1)
    if taken:
        job.refresh_from_db()
    return bool(taken)


@contextlib.contextmanager
def running(job: BackgroundJob) -> Iterator[Run | None]:
    """Runs the body as the holder of the job's lease; yields None when the job is not waiting
    (finished, or run by another process). An exception escaping the body marks the job
    failed with a message, cleans up, and is raised again."""
    if not claim(job):
        yield None
        return
    run = Run(job)
    key = (type(job), job.pk)
    with _active_lock:
        _active[key] = run
    try:
        yield run
    except (KeyboardInterrupt, SystemExit):
        # The worker was told to stop at once: the job goes back to waiting (its transaction
        # was rolled back) and the next `recover` queues it again.
        type(job)._default_manager.filter(pk=job.pk, status=BackgroundJob.Status.RUNNING).update(
            status=BackgroundJob.Status.WAITING, worker="", heartbeat_at=None,
            interruption=BackgroundJob.Interruption.RESUMED)
        raise
    except BaseException:
        fail(job, BackgroundJob.Interruption.ERROR)
        raise
    finally:
        with _active_lock:
            _active.pop(key, None)


def fail(job: BackgroundJob, reason: str) -> None:
    """Marks the job failed for good with a message and removes its leftovers."""
    model = type(job)
    model._default_manager.filter(pk=job.pk).exclude(status__in=_finished(model)).update(
        status=BackgroundJob.Status.FAILED, interruption=reason, finished_at=timezone.now(),
        worker="")
    job.refresh_from_db()
    job.job_cleanup()


def enqueue(job: BackgroundJob) -> None:
    """Queues the job's task (its pk only) and remembers the task's id."""
    from django.utils.module_loading import import_string

    result = import_string(job.job_task).enqueue(job.pk)
    type(job)._default_manager.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)


def _finished(model) -> list[str]:
    return [value for value, _label in model._meta.get_field("status").choices
            if value not in (BackgroundJob.Status.WAITING, BackgroundJob.Status.RUNNING)]


def job_models() -> list[type[BackgroundJob]]:
    return [m for m in apps.get_models() if issubclass(m, BackgroundJob)]


# --- the heartbeat ------------------------------------------------------------------------

def beat() -> None:
    """Renews this process's lease and writes each running job's progress."""
    me = worker_id()
    now = timezone.now()
    WorkerLease.objects.update_or_create(
        worker_id=me, defaults={"host": _host(), "pid": os.getpid(), "seen_at": now})
    with _active_lock:
        runs = list(_active.values())
    for run in runs:
        values = {"heartbeat_at": now, "rows_done": run.rows_done}
        if run.rows_total is not None:
            values["rows_total"] = run.rows_total
        type(run.job)._default_manager.filter(pk=run.job.pk, worker=me,
                                     status=BackgroundJob.Status.RUNNING).update(**values)


class Heartbeat(threading.Thread):
    """A daemon thread of a worker process: `beat()` every few seconds, and `recover()` plus
    `sweep()` every BRIDGEWAY_JOB_RECOVER_SECONDS. It has its own database connection; a beat
    that meets a locked SQLite database (an import holds the write lock) is skipped: on one
    host, liveness is judged by the process, not by the beat."""

    def __init__(self) -> None:
        super().__init__(name="bridgeway-heartbeat", daemon=True)
        self.stopping = threading.Event()

    def run(self) -> None:
        every = _setting("BRIDGEWAY_JOB_RECOVER_SECONDS", 300)
        last_recover = time.monotonic()
        while not self.stopping.wait(heartbeat_seconds()):
            try:
                if connection.vendor == "sqlite":
                    with connection.cursor() as cursor:
                        cursor.execute("PRAGMA busy_timeout = 250")
                beat()
                if time.monotonic() - last_recover >= every:
                    last_recover = time.monotonic()
                    recover()
                    sweep()
            except Exception as exc:  # a missed beat is not fatal; the next one retries
                logger.warning("heartbeat skipped: %s", type(exc).__name__)
            finally:
                connections.close_all()

    def stop(self) -> None:
        self.stopping.set()


# --- finding dead jobs --------------------------------------------------------------------

@dataclass
class Recovery:
    resumed: int = 0
    failed: int = 0
    tasks_requeued: int = 0
    tasks_failed: int = 0

    def __str__(self) -> str:
        return (f"jobs resumed: {self.resumed}, jobs failed: {self.failed}, tasks queued again: "
                f"{self.tasks_requeued}, tasks failed: {self.tasks_failed}")


def _recover_tasks(report: Recovery) -> None:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        owner = task.worker_ids[-1] if task.worker_ids else ""
        if alive(owner):
            continue
        # Every task is written to be run again (ids only; it checks its job's state first):
        # the same row goes back to the queue, and each claim adds a worker id.
        if len(task.worker_ids) < max_attempts():
            report.tasks_requeued += DBTaskResult.objects.filter(
                pk=task.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None)
        else:
            report.tasks_failed += DBTaskResult.objects.filter(
                pk=task.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now(),
                exception_class_path=WORKER_STOPPED,
                traceback=f"The worker running this task stopped ({owner}) before it "
                          f"finished, {len(task.worker_ids)} time(s).")


def _task_pending(task_id: str) -> bool:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return False
    try:
        return DBTaskResult.objects.filter(
            pk=task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()
    except ValidationError:  # an id from another task backend: not in this queue
        return False


def _recover_job(job: BackgroundJob, report: Recovery) -> None:
    model = type(job)
    if job.attempts < max_attempts() and job.job_resumable():
        moved = model._default_manager.filter(
            pk=job.pk, status=job.status, worker=job.worker).update(  # type: ignore[attr-defined]
            status=BackgroundJob.Status.WAITING, worker="", heartbeat_at=None,
            interruption=BackgroundJob.Interruption.RESUMED, **(
                {"rows_done": 0} if hasattr(job, "rows_done") else {}))
        if not moved:
            return
        job.refresh_from_db()
        if not _task_pending(job.task_id):
            enqueue(job)
        report.resumed += 1
        job.job_interrupted(resumed=True)
    else:
        fail(job, BackgroundJob.Interruption.FAILED)
        report.failed += 1
        job.job_interrupted(resumed=False)


def recover() -> Recovery:
    """Finds jobs and tasks whose process died, and resumes or fails them (see the module's
    docstring). Safe to run at any time, from several processes."""
    report = Recovery()
    _recover_tasks(report)
    grace = timezone.now() - timedelta(seconds=lease_seconds())
    for model in job_models():
        for job in model._default_manager.filter(status=BackgroundJob.Status.RUNNING):
            if not alive(job.worker, heartbeat_at=job.heartbeat_at):
                _recover_job(job, report)
        # Waiting for a task that is no longer queued (it died before it claimed the job), or
        # for nothing (the request that was to run it inline died first).
        for job in model._default_manager.filter(status=BackgroundJob.Status.WAITING,
                                        created_at__lt=grace):
            if not _task_pending(job.task_id):
                _recover_job(job, report)
    return report


_sweepers: list[Callable[[], int]] = []


def register_sweeper(fn: Callable[[], int]) -> Callable[[], int]:
    """An app's sweep of what a killed process left outside a job model (temporary files, say):
    `fn()` returns how many it deleted; run by every `sweep()`."""
    if fn not in _sweepers:
        _sweepers.append(fn)
    return fn


def sweep() -> int:
    """Deletes what ended or dead jobs left behind (each job model's `job_sweep`, then each
    registered sweeper) and leases of processes gone for a day; returns how many files were
    deleted."""
    removed = sum(model.job_sweep() for model in job_models())
    removed += sum(fn() for fn in list(_sweepers))
    WorkerLease.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return removed
