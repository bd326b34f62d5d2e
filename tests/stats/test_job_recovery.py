"""Background jobs whose worker died (core.jobs), on the import job: found, resumed or failed with
a message the person who started it sees on the job's page and in the API; leftovers swept; no
clear copy of the upload while a job reads it. The real-process version (a worker killed with
SIGKILL) is test_worker_crash.py."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from bridgeway.core import jobs
from bridgeway.core.models import WorkerLease
from bridgeway.protection.models import AuditEvent
from bridgeway.stats import services
from bridgeway.stats.models import Dataset, ImportJob, StatRecord
from tests.stats.helpers import ctdc_csv, ctdc_row

NAME = "Zenobia Quarrington"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.BRIDGEWAY_IMPORT_DIR = tmp_path / "imports"
    return settings.BRIDGEWAY_IMPORT_DIR


def _dead_worker() -> str:
    """The lease name of a process that existed on this host and has ended."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    return f"{jobs.worker_id().rsplit(':', 2)[0]}:{child.stdout.strip()}:1"


def _stuck_job(cast, *, attempts=1, rows=5):
    """An import job as a worker killed mid-import leaves it: running, its sealed upload still
    there, nothing imported."""
    job = services.job_create(org=cast.org_a, actor=cast.supervisor_a, kind="ctdc",
                              dry_run=False,
                              upload=SimpleUploadedFile("x.csv", ctdc_csv(
                                  [ctdc_row(i) for i in range(rows)])))
    ImportJob.objects.filter(pk=job.pk).update(status="running", worker=_dead_worker(),
                                               attempts=attempts, heartbeat_at=timezone.now())
    job.refresh_from_db()
    return job


def test_job_of_dead_worker_out_of_attempts_fails_with_a_message(cast, as_user, _import_dir):
    job = _stuck_job(cast, attempts=2)
    report = jobs.recover()
    assert report.failed == 1 and report.resumed == 0
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.interruption == "failed"
    # Its sealed upload and key are gone: nothing of the file is left.
    assert list(_import_dir.iterdir()) == [] and job.wrapped_key is None
    assert StatRecord.objects.count() == 0 and Dataset.objects.count() == 0
    assert AuditEvent.objects.filter(action="stats.import.interrupted").count() == 1

    client = as_user(cast.supervisor_a)
    html = client.get(f"/stats/jobs/{job.pk}/").content.decode()
    assert "nothing was saved. Start it again" in html and "Nothing was imported." in html
    assert "<progress" not in html and "hx-trigger" not in html
    api = client.get(f"/api/v1/stats/imports/{job.pk}/").json()
    assert api["status"] == "failed" and api["interruption"] == "failed"
    assert "Start it again" in api["message"]
    # Another organisation's person learns nothing of it.
    assert as_user(cast.caseworker_b).get(f"/api/v1/stats/imports/{job.pk}/").status_code == 404


def test_job_of_dead_worker_is_resumed_and_imported_once(cast, as_user, _import_dir):
    job = _stuck_job(cast, attempts=1, rows=7)
    report = jobs.recover()  # the test settings' immediate task backend runs it at once
    assert report.resumed == 1
    job.refresh_from_db()
    assert job.status == "done" and job.interruption == "resumed" and job.attempts == 2
    assert StatRecord.objects.count() == 7 and Dataset.objects.count() == 1
    assert list(_import_dir.iterdir()) == []
    assert AuditEvent.objects.filter(action="stats.import.resumed").count() == 1
    html = as_user(cast.supervisor_a).get(f"/stats/jobs/{job.pk}/").content.decode()
    assert "it was started again from the beginning" in html and "7 record(s) imported." in html
    assert as_user(cast.supervisor_a).get(
        f"/api/v1/stats/imports/{job.pk}/").json()["interruption"] == "resumed"


def test_a_live_job_is_left_alone(cast):
    job = _stuck_job(cast)
    ImportJob.objects.filter(pk=job.pk).update(worker=jobs.worker_id())  # this process: alive
    assert jobs.recover().resumed == 0
    assert ImportJob.objects.get(pk=job.pk).status == "running"


def test_worker_on_another_host_is_judged_by_its_lease(cast, settings):
    settings.BRIDGEWAY_JOB_LEASE_SECONDS = 60
    job = _stuck_job(cast, attempts=2)
    other = "elsewhere.example:4242:777"
    recent = timezone.now() - dt.timedelta(seconds=10)
    ImportJob.objects.filter(pk=job.pk).update(worker=other, heartbeat_at=recent)
    assert jobs.recover().failed == 0  # heartbeat 10 s ago: alive
    old = timezone.now() - dt.timedelta(seconds=300)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=old)
    WorkerLease.objects.create(worker_id=other, host="elsewhere.example", pid=4242,
                               seen_at=recent)
    assert jobs.recover().failed == 0  # its worker still renews its lease
    WorkerLease.objects.filter(worker_id=other).update(seen_at=old)
    assert jobs.recover().failed == 1
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def _task_row(worker_ids, path="bridgeway.stats.tasks.build_columns"):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [1], "kwargs": {}},
        task_path=path, backend_name="default", run_after=get_date_max(),
        worker_ids=worker_ids, started_at=timezone.now())


def test_task_rows_of_dead_workers_are_queued_again_then_failed(db):
    dead = _dead_worker()
    once, twice, live = _task_row([dead]), _task_row(["w0", dead]), _task_row([jobs.worker_id()])
    report = jobs.recover()
    assert (report.tasks_requeued, report.tasks_failed) == (1, 1)
    once.refresh_from_db()
    twice.refresh_from_db()
    live.refresh_from_db()
    assert once.status == TaskResultStatus.READY and once.started_at is None
    assert twice.status == TaskResultStatus.FAILED
    assert twice.exception_class_path == jobs.WORKER_STOPPED and "stopped" in twice.traceback
    assert live.status == TaskResultStatus.RUNNING


def test_sweep_removes_clear_leftovers_and_finished_uploads_only(cast, _import_dir):
    waiting = services.job_create(org=cast.org_a, actor=cast.supervisor_a, kind="ctdc",
                                  dry_run=True, upload=SimpleUploadedFile(
                                      "x.csv", ctdc_csv([ctdc_row(1)])))
    finished = services.job_create(org=cast.org_a, actor=cast.supervisor_a, kind="ctdc",
                                   dry_run=True, upload=SimpleUploadedFile(
                                       "y.csv", ctdc_csv([ctdc_row(2)])))
    ImportJob.objects.filter(pk=finished.pk).update(status="done")
    # A clear copy left by a worker killed before this fix, and an old file of a deleted job.
    plain = _import_dir / f"job-{finished.pk}-abc123.plain"
    plain.write_text(f"{NAME},+37369555013\n")
    orphan = _import_dir / "job-999999.sealed"
    orphan.write_bytes(b"x")
    hour_ago = timezone.now().timestamp() - 7200
    os.utime(orphan, (hour_ago, hour_ago))
    young_orphan = _import_dir / "job-999998.sealed"  # a job being created right now
    young_orphan.write_bytes(b"x")

    call_command("jobs_recover", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert sorted(p.name for p in _import_dir.iterdir()) == sorted(
        [f"job-{waiting.pk}.sealed", young_orphan.name])


def test_no_clear_copy_of_the_upload_while_a_job_reads_it(cast, monkeypatch, _import_dir):
    seen, blobs = [], []
    real = services.import_file

    def spy(**kwargs):
        seen.extend(p.name for p in _import_dir.iterdir())
        blobs.extend(p.read_bytes() for p in _import_dir.iterdir())
        return real(**kwargs)

    monkeypatch.setattr(services, "import_file", spy)
    content = ctdc_csv([ctdc_row(i) for i in range(3)])
    job = services.job_create(org=cast.org_a, actor=cast.supervisor_a, kind="ctdc",
                              dry_run=False, upload=SimpleUploadedFile("x.csv", content))
    job = services.job_run(job.pk)
    assert job.status == "done" and StatRecord.objects.count() == 3
    assert seen == [f"job-{job.pk}.sealed"]
    assert b"Female" not in blobs[0]  # sealed


def test_job_failing_with_an_error_says_so_and_keeps_nothing(cast, monkeypatch, _import_dir):
    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "import_file", boom)
    job = services.job_create(org=cast.org_a, actor=cast.supervisor_a, kind="ctdc",
                              dry_run=False, upload=SimpleUploadedFile(
                                  "x.csv", ctdc_csv([ctdc_row(1)])))
    with pytest.raises(RuntimeError):
        services.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.interruption == "error"
    assert list(_import_dir.iterdir()) == []


def test_a_finished_job_is_not_run_again(cast):
    job = _stuck_job(cast)
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    assert services.job_run(job.pk).status == "done"
    assert StatRecord.objects.count() == 0


def test_heartbeat_writes_progress_and_renews_the_lease(cast):
    job = services.job_create(org=cast.org_a, actor=cast.supervisor_a, kind="ctdc",
                              dry_run=True, upload=SimpleUploadedFile(
                                  "x.csv", ctdc_csv([ctdc_row(1)])))
    with jobs.running(job) as run:
        run.progress(40, 100)
        jobs.beat()
        row = ImportJob.objects.get(pk=job.pk)
        assert (row.status, row.rows_done, row.rows_total) == ("running", 40, 100)
        assert row.worker == jobs.worker_id() and row.attempts == 1
        assert WorkerLease.objects.filter(worker_id=jobs.worker_id()).exists()
        # A second claim (another process, or the task run twice) gets nothing.
        with jobs.running(ImportJob.objects.get(pk=job.pk)) as second:
            assert second is None


def test_a_job_left_waiting_by_a_dead_request_or_task_is_queued_again(cast, settings):
    settings.BRIDGEWAY_JOB_LEASE_SECONDS = 60
    job = services.job_create(org=cast.org_a, actor=cast.supervisor_a, kind="ctdc",
                              dry_run=False, upload=SimpleUploadedFile(
                                  "x.csv", ctdc_csv([ctdc_row(i) for i in range(4)])))
    assert jobs.recover().resumed == 0  # just created: its request is still running it
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5), task_id="not-a-queued-task")
    assert jobs.recover().resumed == 1  # the immediate backend runs it at once
    job.refresh_from_db()
    assert job.status == "done" and StatRecord.objects.count() == 4
