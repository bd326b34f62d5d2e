"""The backup and restore drill (bin/backup-drill, docs/operations.md): a backup of a live
installation, restored into a new database in a clean directory with only the backup and its key
file, passes `audit_verify`, decrypts the case and downloads the document, and misses nothing
written before the backup. Run on SQLite (online backup API) and PostgreSQL (pg_dump /
pg_restore)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bridgeway.cases import services as cases
from bridgeway.protection import backup
from bridgeway.protection.services import document_upload
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n" + b"Zenobia's statement, page 1\n" * 5000 + b"%%EOF\n"

CHECK = """
import hashlib, sys
from bridgeway.cases.models import Case
from bridgeway.protection.models import EncryptedDocument
from bridgeway.protection.services import document_chunks
case = Case.objects.get(reference=sys.argv[1])
doc = EncryptedDocument.objects.get(pk=sys.argv[2])
print(case.person.first_name, case.person.second_name, Case.objects.count())
print(hashlib.sha256(b"".join(document_chunks(doc))).hexdigest())
"""


@pytest.fixture
def live(settings, tmp_path):
    """A live installation: a case with a document, files in their own storage directory."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "live" / "files"}}}
    org = OrganisationFactory()
    actor = MembershipFactory(organisation=org, role="caseworker").user
    with_totp(actor)
    case = cases.case_open(org=org, actor=actor, person=cases.PersonData(
        first_name="Zenobia", second_name="Quarrington", phone="+37369555013"))
    doc = document_upload(subject=case.subject, actor=actor,
                          uploaded=SimpleUploadedFile("statement.pdf", PDF))
    return case, doc


def _database_url(tmp_path) -> str:
    """The test database as a URL another process can open (SQLite: a file copy of the
    in-memory test database)."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "live" / "bridgeway.sqlite3"
        with connection.cursor() as cur:
            cur.execute("VACUUM INTO %s", [str(copy)])
        return f"sqlite:///{copy}"
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (f"postgres://{s.get('USER') or 'postgres'}{password}@{s.get('HOST') or '127.0.0.1'}:"
            f"{s.get('PORT') or 5432}/{s['NAME']}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_drill_restores_a_whole_readable_copy(live, tmp_path):
    case, doc = live
    if connection.vendor == "postgresql":
        assert shutil.which("pg_dump") and shutil.which("pg_restore")
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path),
           "BRIDGEWAY_VAR_DIR": str(tmp_path / "live"), "DJANGO_SETTINGS_MODULE": "tests.settings",
           "PYTHON": sys.executable}
    work = tmp_path / "drill"
    drill = subprocess.run(["bin/backup-drill", str(work), "--keep"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    new_url = re.search(r"new database \((\S+)\)", drill.stdout)
    try:
        assert drill.returncode == 0, drill.stdout + drill.stderr
        assert "Restore verified:" in drill.stdout and "Audit chain intact" in drill.stdout
        assert "Drill passed." in drill.stdout
        # The backup holds no clear copy of the case or the document.
        for path in (work / "backup").rglob("*"):
            if path.is_file():
                assert b"Quarrington" not in path.read_bytes()
                assert b"Zenobia's statement" not in path.read_bytes()
        assert oct((work / "keys.env").stat().st_mode & 0o777) == "0o600"

        # In the restored copy, with only the key file: the case decrypts, the document downloads
        # whole.
        keys = dict(line.split("=", 1) for line in
                    (work / "keys.env").read_text().splitlines())
        clean = {"PATH": os.environ["PATH"], **keys, "DATABASE_URL": new_url[1],
                 "BRIDGEWAY_VAR_DIR": str(work / "restored"),
                 "DJANGO_SETTINGS_MODULE": "tests.settings"}
        out = subprocess.run([sys.executable, "-c", "import django, sys; django.setup(); "
                              f"exec({CHECK!r})", case.reference, str(doc.pk)],
                             cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        person_line, digest = out.stdout.split("\n")[:2]
        assert person_line == "Zenobia Quarrington 1"
        assert digest == hashlib.sha256(PDF).hexdigest()
    finally:
        if new_url and new_url[1].startswith("postgres"):
            base, name = new_url[1].rsplit("/", 1)
            subprocess.run(["psql", "-q", f"{base}/postgres", "-c",
                            f"DROP DATABASE IF EXISTS {name}"], capture_output=True)


@pytest.mark.django_db(transaction=True)
def test_verify_names_what_is_missing_or_changed(live, tmp_path):
    case, doc = live
    src = tmp_path / "backup"
    backup.create(src)
    assert backup.verify(src).ok
    # A row the backup counted is gone, and a stored file changed.
    manifest = json.loads((src / "manifest.json").read_text())
    manifest["tables"]["cases_case"] += 1
    (src / "manifest.json").write_text(json.dumps(manifest))
    stored = backup.storage_dir() / doc.storage_name
    # The last byte flipped, not set to a value: ciphertext ends in any byte, and one that was
    # already 0 (1 time in 256) left the file unchanged and the test failing.
    content = stored.read_bytes()
    stored.write_bytes(content[:-1] + bytes([content[-1] ^ 0xFF]))
    problems = backup.verify(src).problems
    assert any(p.startswith("table cases_case: 1 rows, the backup counted 2") for p in problems)
    assert any(p.startswith(f"file {doc.storage_name}: missing or changed") for p in problems)
    assert any(p.startswith(f"document {doc.pk}: does not decrypt") for p in problems)
    assert not any("Quarrington" in p for p in problems)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(live, tmp_path):
    src = tmp_path / "backup"
    backup.create(src)
    with pytest.raises(backup.BackupError, match="not empty: restore into a new one"):
        backup.restore(src)
    with pytest.raises(backup.BackupError, match="not empty: give a new directory"):
        backup.create(src)
