"""A real `manage.py worker` process is killed (SIGKILL) in the middle of an HTCDS import of a
file holding names, phone numbers and identity numbers. Nothing of the file may be left in clear
on disk; the next worker start finds the dead job and resumes it; the records end up imported
exactly once, never half.

The worker shares the test's database: on PostgreSQL the test database itself (the test commits,
`transaction=True`); on SQLite (an in-memory test database) a file copy of it that both the
worker and the test's checks read."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.backend import DatabaseBackend

from bridgeway.stats import services
from bridgeway.stats.tasks import run_import
from tests.factories import MembershipFactory, OrganisationFactory

ROOT = Path(__file__).resolve().parents[2]
NAME, PHONE, IDENTITY = "Zenobia Quarrington", "+37369555013", "MD-5550131313"
ROWS = 60_000


def _csv() -> bytes:
    lines = ["prs_FirstName,prs_SecondName,prs_MobilePhone,prs_IdentityNumber,prs_Gender,"
             "yearOfRegistration,vic_MethodsOfControl"]
    first, second = NAME.split()
    for i in range(ROWS):
        lines.append(f"{first}{i % 97},{second},{PHONE[:-3]}{i % 1000:03d},{IDENTITY}{i % 10},"
                     f"{'Feminine' if i % 3 else 'Masculine'},{2015 + i % 10},DebtBondage")
    return ("\n".join(lines) + "\n").encode()


class Db:
    """The database as the worker sees it: SQL runs on the SQLite copy, or on PostgreSQL's
    test database through the test's own (autocommit) connection."""

    def __init__(self, tmp: Path) -> None:
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp / "shared.sqlite3"
            with connection.cursor() as cur:
                cur.execute("VACUUM INTO %s", [str(self.path)])
            self.url = f"sqlite:///{self.path}"
        else:
            s = connection.settings_dict
            password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
            self.url = (f"postgres://{s.get('USER') or 'postgres'}{password}@"
                        f"{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}")

    def one(self, sql: str, params=()):
        if self.vendor == "sqlite":
            # Read from a child process: once in CI the reading process died of SIGBUS (its
            # mapping of the write-ahead log's index went away while a worker was killed or
            # started), which took the whole test run down. A reader that dies is asked again.
            for _ in range(5):
                done = subprocess.run(
                    [sys.executable, "-c", _READ, str(self.path), sql, json.dumps(list(params))],
                    capture_output=True, text=True, timeout=60)
                if done.returncode == 0:
                    row = json.loads(done.stdout)
                    return None if row is None else tuple(row)
            pytest.fail(f"reading the worker's database failed: {done.stderr[-1000:]}")
        with connection.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            return cur.fetchone()


_READ = ("import json, sqlite3, sys\n"
         "db = sqlite3.connect(sys.argv[1], timeout=30)\n"
         "print(json.dumps(db.execute(sys.argv[2], json.loads(sys.argv[3])).fetchone()))\n"
         "db.close()\n")


def _worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.1", "--no-startup-delay",
         "-v", "0"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(what, timeout: float, worker: subprocess.Popen):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = what()
        if value:
            return value
        if worker.poll() is not None:
            pytest.fail(f"the worker exited: {worker.stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    pytest.fail("timed out")


def _clear_copies(root: Path) -> list[str]:
    """Files under `root` holding any of the known values in clear."""
    needles = [NAME.split()[1].encode(), PHONE[:-3].encode(), IDENTITY.encode()]
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            if any(n in blob for n in needles):
                found.append(str(path.relative_to(root)))
    return found


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_worker_leaves_no_clear_file_and_the_import_is_resumed_once(tmp_path, settings):
    var = tmp_path / "var"
    settings.BRIDGEWAY_IMPORT_DIR = var / "imports"
    org = OrganisationFactory()
    actor = MembershipFactory(organisation=org, role="supervisor").user
    job = services.job_create(org=org, actor=actor, kind="htcds", dry_run=False,
                              upload=SimpleUploadedFile("people.csv", _csv()))
    backend = DatabaseBackend(alias="default", params={"BACKEND": "django_tasks_db.DatabaseBackend"})
    result = backend.enqueue(run_import, [job.pk], {})
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])
    db = Db(tmp_path)
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
           "DATABASE_URL": db.url, "BRIDGEWAY_VAR_DIR": str(var), "TMPDIR": str(tmp_path / "tmp"),
           "BRIDGEWAY_JOB_LEASE_SECONDS": "3"}  # a heartbeat every 0.5 s
    status = ("SELECT status, rows_done, interruption, attempts, report FROM stats_importjob "
              "WHERE id = ?")

    worker = _worker(env)
    try:
        _wait(lambda: db.one(status, [job.pk])[0] == "running", 90, worker)
        if db.vendor == "postgresql":
            # The heartbeat writes progress from its own connection while the import's
            # transaction is open: the job's page moves. (SQLite: one writer at a time.)
            _wait(lambda: db.one(status, [job.pk])[1] > 0, 30, worker)
        else:
            # Into the import's transaction: its pages pile up in the write-ahead log.
            wal = Path(f"{db.path}-wal")
            start = wal.stat().st_size if wal.exists() else 0
            _wait(lambda: wal.exists() and wal.stat().st_size > start + 512 * 1024, 30, worker)
        assert worker.poll() is None
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    # Killed mid-import: the job still says running, no record was committed.
    assert db.one(status, [job.pk])[0] == "running", db.one(status, [job.pk])
    assert db.one("SELECT COUNT(*) FROM stats_statrecord")[0] == 0
    assert db.one("SELECT COUNT(*) FROM stats_dataset")[0] == 0
    # Nothing in clear under the var directory (imports, database files) or the temp directory.
    assert _clear_copies(tmp_path) == []
    assert [p.name for p in (var / "imports").iterdir()] == [f"job-{job.pk}.sealed"]

    # Started again, as `make worker` does (DEBUG on, which turns db_worker's autoreloader on).
    worker = _worker({**env, "BRIDGEWAY_DEBUG": "1"})
    try:
        finished = _wait(lambda: (row := db.one(status, [job.pk]))[0] not in ("running", "waiting")
                         and row, 120, worker)
        # The process started is the worker itself: no reloader child that would outlive it.
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        if children.exists():
            assert children.read_text().split() == []
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0  # stops when told
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    assert finished[0] == "done" and finished[2] == "resumed" and finished[3] == 2
    # Imported exactly once: every row, one dataset, nothing doubled.
    assert db.one("SELECT COUNT(*) FROM stats_dataset")[0] == 1
    assert db.one("SELECT COUNT(*) FROM stats_statrecord")[0] == ROWS
    assert list((var / "imports").iterdir()) == []
    assert _clear_copies(tmp_path) == []
