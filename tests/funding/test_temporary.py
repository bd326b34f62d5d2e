"""flattentool works on paths, so a 360Giving spreadsheet import or export writes grants into a
`bw-360-*` temporary directory. A process killed with -9 leaves it behind: the job sweep (worker
start, every few minutes, `manage.py jobs_recover`) and every spreadsheet import and export
remove those untouched for an hour, and nothing else."""

import os
import subprocess
import sys
import tempfile
import time

import pytest
from django.urls import reverse

from bridgeway.core import jobs
from bridgeway.funding import exchange
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def tmp_root(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def _killed_export_leftover(root):
    """A process that dies with SIGKILL inside its temporary directory, as a worker can."""
    code = (f"import os, signal, tempfile; d = tempfile.mkdtemp(prefix='bw-360-', dir={str(root)!r}); "
            "open(os.path.join(d, 'in.json'), 'w').write('{}'); print(d, flush=True); "
            "os.kill(os.getpid(), signal.SIGKILL)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == -9
    return out.stdout.strip()


def test_the_job_sweep_removes_what_a_killed_process_left_and_nothing_else(tmp_root):
    stale = _killed_export_leftover(tmp_root)
    _age(stale, 2 * 3600)
    fresh = tmp_root / "bw-360-running"
    fresh.mkdir()  # an import still at work
    other = tmp_root / "someone-else"
    other.mkdir()
    _age(other, 2 * 3600)
    plain = tmp_root / "bw-360-a-file"
    plain.write_text("x")
    _age(plain, 2 * 3600)

    assert jobs.sweep() >= 1
    assert not os.path.exists(stale)
    assert fresh.exists() and other.exists() and plain.exists()


def test_each_spreadsheet_export_sweeps_first_and_leaves_nothing(cast, tmp_root):
    stale = _killed_export_leftover(tmp_root)
    _age(stale, 3601)
    r = signed_in(cast.admin_a).get(reverse("funding:export", args=[cast.org_a.pk, "360.xlsx"]))
    assert r.status_code == 200
    assert list(tmp_root.glob(f"{exchange.TEMP_PREFIX}*")) == []
