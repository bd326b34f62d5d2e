"""mypy (make lint) catches a service called with a wrong type."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MYPY = Path(sys.executable).with_name("mypy")

CALLS = """
import datetime

from django.contrib.auth import get_user_model

from bridgeway.cases.models import Case
from bridgeway.cases.services import task_add

case = Case.objects.get(reference="C-ABCDEFG")
user = get_user_model().objects.get(pk=1)
task_add(case=case, actor={actor}, title="Call the lawyer", due_on=datetime.date(2030, 1, 1))
"""


@pytest.mark.slow
def test_a_service_called_with_a_wrong_type_fails_mypy(tmp_path):
    if not MYPY.exists():
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    (tmp_path / "right.py").write_text(CALLS.format(actor="user"))
    (tmp_path / "wrong.py").write_text(CALLS.format(actor="case.organisation"))
    result = subprocess.run(
        [str(MYPY), "--config-file", str(ROOT / "pyproject.toml"), str(tmp_path / "right.py"),
         str(tmp_path / "wrong.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MYPYPATH": str(ROOT)})
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, result.stdout
    assert "wrong.py:11" in errors[0]
    assert 'Argument "actor" to "task_add" has incompatible type "Organisation"; expected "User"' \
        in errors[0]
