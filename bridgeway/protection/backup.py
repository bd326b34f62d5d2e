"""Backup and restore (docs/operations.md, "Backups" and "Backup and restore drill").

A backup is a directory: the database (PostgreSQL: `pg_dump -Fc`; SQLite: the online backup
API, a consistent copy of a live database), the encrypted document storage, and a manifest of
row counts per table and a SHA-256 per stored file. Rows are counted before the database is
copied and files copied after it, so everything the counts include is in the copy. The keys go
to a separate file (`--keys-out`): without them the backup is unreadable, with them it is
everyone's data in clear, so they are kept apart (docs/security/keys.md).

`restore` loads a backup into a new, empty database and an empty storage directory, then
`verify` proves the copy whole: no table has fewer rows than the manifest, every file is there
unchanged, the audit chain verifies, every encrypted field decrypts and every document decrypts
to its recorded size. Nothing personal is printed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    pass


def storage_dir() -> Path:
    default: dict = settings.STORAGES["default"]  # type: ignore[assignment]
    return Path(default["OPTIONS"]["location"])


def _tables() -> list[str]:
    names = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            names.add(model._meta.db_table)
    existing = set(connection.introspection.table_names())
    return sorted(names & existing)


def _counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _run(argv: list[str], env: dict) -> None:
    # Our own arguments: the tool found on PATH, the configured database, our paths.
    done = subprocess.run(argv, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-500:]}")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def keys_env() -> str:
    """The key variables of this installation as an environment file (docs/security/keys.md)."""
    keks = ",".join(f"{kid}={_b64(key)}" for kid, key in settings.BRIDGEWAY_KEKS.items())
    lines = [
        f"BRIDGEWAY_SECRET_KEY={_b64(bytes.fromhex(settings.SECRET_KEY))}",
        f"BRIDGEWAY_AUDIT_KEY={_b64(settings.AUDIT_CHAIN_KEY)}",
        f"BRIDGEWAY_MFA_KEY={_b64(settings.MFA_SECRETS_KEY)}",
        f"BRIDGEWAY_KEKS={keks}",
        f"BRIDGEWAY_KEK_ACTIVE={settings.BRIDGEWAY_KEK_ACTIVE}",
        f"BRIDGEWAY_BLIND_INDEX_KEY={_b64(settings.BLIND_INDEX_KEY)}",
    ]
    return "\n".join(lines) + "\n"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def create(out: Path, *, keys_out: Path | None = None) -> dict:
    """Writes a backup into `out` (a new directory) and, if asked, the keys into `keys_out`."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: give a new directory.")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    counts = _counts()
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_args(db)
        _run([_tool("pg_dump"), *args, "-Fc", "-f", str(out / "database.pgdump"), db["NAME"]],
             env)
        database = "database.pgdump"
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out / "database.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        database = "database.sqlite3"
    else:
        raise BackupError(f"No backup method for {connection.vendor}.")
    files = {}
    source = storage_dir()
    if source.is_dir():
        shutil.copytree(source, out / "files")
        for path in sorted((out / "files").rglob("*")):
            if path.is_file():
                files[path.relative_to(out / "files").as_posix()] = _sha256(path)
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor, "database": database,
                "tables": counts, "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    if keys_out is not None:
        _write_private(Path(keys_out), keys_env())
    return manifest


def _manifest(src: Path) -> dict:
    try:
        manifest = json.loads((Path(src) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src} holds no readable manifest.json ({type(exc).__name__}).") \
            from None
    if manifest.get("format") != FORMAT:
        raise BackupError("Unknown backup format.")
    return manifest


def restore(src: Path) -> dict:
    """Loads the backup into the configured database, which must be new and empty, and its
    files into the configured storage directory, which must be empty."""
    src = Path(src)
    manifest = _manifest(src)
    if manifest["database_vendor"] != connection.vendor:
        raise BackupError(f"This is a {manifest['database_vendor']} backup; the configured "
                          f"database is {connection.vendor}.")
    if connection.introspection.table_names():
        raise BackupError("The configured database is not empty: restore into a new one.")
    target_files = storage_dir()
    if target_files.exists() and any(target_files.iterdir()):
        raise BackupError(f"{target_files} is not empty: restore into a clean directory.")
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_args(db)
        _run([_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error",
              "-d", db["NAME"], str(src / manifest["database"])], env)
    else:
        connection.close()
        source = sqlite3.connect(src / manifest["database"])
        target = sqlite3.connect(db["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    connection.close()
    if (src / "files").is_dir():
        target_files.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src / "files", target_files, dirs_exist_ok=True)
    return manifest


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    files: int = 0
    audit_events: int = 0
    decrypted_values: int = 0
    documents: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        return (f"{self.tables} tables, {self.rows} rows, {self.files} files, audit chain of "
                f"{self.audit_events} events intact, {self.decrypted_values} encrypted values "
                f"and {self.documents} documents decrypted")


def _encrypted_models():
    from bridgeway.protection.fields import EncryptedField

    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if names:
            yield model, names


def verify(src: Path) -> Verification:
    """Proves the configured database and storage hold everything the backup's manifest counts,
    and that the keys in the environment open them."""
    from bridgeway.protection import crypto
    from bridgeway.protection.audit import verify_chain
    from bridgeway.protection.models import EncryptedDocument
    from bridgeway.protection.services import document_chunks

    manifest = _manifest(Path(src))
    result = Verification()
    counts = _counts()
    for table, expected in manifest["tables"].items():
        found = counts.get(table)
        if found is None or found < expected:
            result.problems.append(f"table {table}: {found or 0} rows, the backup counted "
                                   f"{expected}")
    result.tables, result.rows = len(counts), sum(counts.values())
    for name, digest in manifest["files"].items():
        path = storage_dir() / name
        if not path.is_file() or _sha256(path) != digest:
            result.problems.append(f"file {name}: missing or changed")
        else:
            result.files += 1
    chain = verify_chain()
    if not chain.ok:
        seq = chain.broken.seq if chain.broken is not None else "?"
        result.problems.append(f"audit chain broken at event #{seq}")
    result.audit_events = chain.checked
    for model, names in _encrypted_models():
        for obj in model._default_manager.all().iterator(chunk_size=500):
            for name in names:
                try:
                    getattr(obj, name)
                    result.decrypted_values += 1
                except crypto.SubjectErased:
                    pass
                except Exception as exc:  # a missing or wrong key, or altered ciphertext
                    result.problems.append(f"{model._meta.label} {obj.pk}: {name} does not "
                                           f"decrypt ({type(exc).__name__})")
    for doc in EncryptedDocument.objects.select_related("subject").iterator(chunk_size=100):
        if doc.subject.is_erased:
            continue
        try:
            size = sum(len(chunk) for chunk in document_chunks(doc))
        except Exception as exc:
            result.problems.append(f"document {doc.pk}: does not decrypt ({type(exc).__name__})")
            continue
        if size != doc.size:
            result.problems.append(f"document {doc.pk}: {size} bytes, expected {doc.size}")
        else:
            result.documents += 1
    return result
