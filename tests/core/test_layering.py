"""The layering contracts (pyproject.toml [tool.importlinter], run by `make lint`) hold today and
fail, naming the contract, on a module that reaches into another app's models."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_sources(dest: Path) -> None:
    """bridgeway/ without templates, static files and translations: the import graph needs only
    the Python modules."""
    def ignore(directory, names):
        return [n for n in names
                if not n.endswith(".py") and not (Path(directory) / n).is_dir()
                or n in ("templates", "static", "locale", "__pycache__")]

    shutil.copytree(ROOT / "bridgeway", dest / "bridgeway", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def tree(tmp_path):
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    _copy_sources(tmp_path)
    return tmp_path


def test_the_contracts_hold_on_the_tree(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "source", "contract"), [
    ("bridgeway/referrals/breach.py", "from bridgeway.cases.models import Case\n",
     "cases is reached only through its services, queries, registry or codes"),
    ("bridgeway/core/breach.py", "from bridgeway.orgs.queries import user_roles\n",
     "core is the ground floor: it imports no app"),
    ("bridgeway/notifications/breach.py", "from bridgeway.referrals import queries\n",
     "The stack: no app imports an app above it"),
])
def test_a_module_breaking_a_contract_fails_naming_it(tree, module, source, contract):
    (tree / module).write_text(source)
    result = _lint(tree)
    assert result.returncode != 0
    out = " ".join(result.stdout.split())  # lint-imports wraps long names over lines
    assert f"{contract}" in out
    assert "BROKEN" in out
    assert module.removesuffix(".py").replace("/", ".") in out


def test_a_new_app_that_keeps_the_rule_passes(tree):
    """An app added later (funding sits in the stack already) may use the services and queries
    of the apps below it, and protection and orgs."""
    app = tree / "bridgeway" / "funding"
    app.mkdir(exist_ok=True)  # funding exists now; the probe is a module of its own
    (app / "__init__.py").write_text("")
    (app / "layering_probe.py").write_text(
        "from bridgeway.cases.queries import case_for_user\n"
        "from bridgeway.orgs.models import Organisation\n"
        "from bridgeway.protection.audit import audit_record\n"
        "from bridgeway.referrals import services as referrals\n")
    result = _lint(tree)
    assert result.returncode == 0, result.stdout
