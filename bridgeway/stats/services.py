"""Writes of the statistics store: imports (dry run, all-or-nothing, idempotent, in the
background when large), the live-cases dataset, and the audit events of each."""

from __future__ import annotations

import hashlib
import io
import itertools
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.core import jobs
from bridgeway.core.db import without_statement_timeout
from bridgeway.orgs.models import Organisation
from bridgeway.protection import crypto
from bridgeway.protection.audit import audit_record
from bridgeway.stats import codes, columns, disclosure, files
from bridgeway.stats import release as method
from bridgeway.stats.codes import (
    HTCDS_CONTROL_TO_CTDC,
    HTCDS_EXPLOITATION_TO_STORE,
    HTCDS_GENDER_TO_STORE,
    HTCDS_RELATION_TO_STORE,
    DatasetKind,
    age_band,
)
from bridgeway.stats.importing import COLUMNS, NULL, Report, converted_rows
from bridgeway.stats.models import (
    BudgetEntry,
    Dataset,
    ExportJob,
    ImportJob,
    PrivacyBudget,
    Release,
    StatRecord,
    lock_dataset,
)
from bridgeway.stats.queries import budget_of, budget_spent, stats_orgs
from bridgeway.stats.release import DIMENSIONS, crosstab_counts

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

_CHUNK = 1024 * 1024
_BATCH = 5000


class Duplicate(Exception):
    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset


class _Rollback(Exception):
    pass


def _check_role(actor: User, org: Organisation) -> None:
    if org.pk not in {o.pk for o in stats_orgs(actor)}:
        raise PermissionDenied(_("You cannot import into this organisation's statistics."))


def _check_kind(org: Organisation, kind: str) -> None:
    if kind not in (DatasetKind.CTDC, DatasetKind.HTCDS):
        raise ValidationError({"format": [_("Choose CTDC or HTCDS.")]})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with files.open_bytes(path) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _rows(path: Path, kind: str, file_type: str) -> Iterator[list[str]]:
    if file_type == "xlsx":
        return files.xlsx_rows(path)
    files.check_encoding_start(path)
    if kind == DatasetKind.CTDC:
        known = {codes.norm(n) for n in [*codes.CTDC_NAMES, *codes.CTDC_ALIASES]}
        delimiter = files.choose_delimiter(path, expected=[";"], known=known, norm=codes.norm)
    else:
        known = set(codes.htcds_header_index())
        delimiter = files.choose_delimiter(path, expected=[",", ";", "\t"], known=known,
                                           norm=codes.norm)
    return files.csv_rows(path, delimiter)


def _copy_line(org_id: int, dataset_id: int, out: list[str]) -> str:
    return f"{org_id}\t{dataset_id}\t" + "\t".join(out) + "\n"


def _sqlite_value(text: str) -> str | bool | None:
    if text == NULL:
        return None
    if text in ("t", "f"):
        return text == "t"
    return text


def _insert(rows: Iterable[list[str]], *, org_id: int, dataset_id: int) -> int:
    """Inserts converted rows; on PostgreSQL through COPY, elsewhere in batches."""
    count = 0
    table = StatRecord._meta.db_table
    cols = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            prefix = f"{org_id}\t{dataset_id}\t"
            join = "\t".join
            rows = iter(rows)
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # noqa: S608
                while batch := [prefix + join(out) for out in itertools.islice(rows, _BATCH)]:
                    copy.write("\n".join(batch) + "\n")
                    count += len(batch)
            return count
        sql = (f"INSERT INTO {table} ({cols}) VALUES "  # noqa: S608 (names are ours)
               f"({', '.join(['%s'] * len(COLUMNS))})")
        batch: list[list] = []
        for out in rows:
            batch.append([org_id, dataset_id, *(_sqlite_value(v) for v in out)])
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def import_file(*, org: Organisation, actor: User, path: Path, kind: str, file_type: str, dry_run: bool,
                label: str = "",
                progress: Callable[[int], None] | None = None) -> tuple[Report, Dataset | None]:
    """Validates every row; a dry run stops there. A real import writes all rows or none, and a
    file already imported into this store (same SHA-256) adds nothing: Duplicate says so."""
    _check_kind(org, kind)
    report = Report()
    sha = sha256_of(path)
    existing = Dataset.objects.filter(organisation=org, source_sha256=sha).first()
    if existing is not None and not dry_run:
        raise Duplicate(existing)
    try:
        rows = _rows(path, kind, file_type)
    except files.FileProblem as exc:
        report.add(exc.row, exc.column, exc.problem)
        return report, None
    if dry_run:
        for _out in converted_rows(kind, rows, report, progress):
            pass
        if existing is not None:
            report.notices.append(_("This file was imported before: importing it again adds "
                                    "nothing."))
        return report, None
    try:
        with transaction.atomic():
            try:
                dataset = Dataset.objects.create(
                    organisation=org, kind=kind, label=label[:120], source_sha256=sha,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None)
            except IntegrityError:
                raise Duplicate(Dataset.objects.get(organisation=org, source_sha256=sha)) \
                    from None

            # Keeps reading after a problem (to report every row) but stops writing.
            written = _insert(converted_rows(kind, rows, report, progress, while_ok=True),
                              org_id=org.pk, dataset_id=dataset.pk)
            if not report.ok:
                raise _Rollback
            dataset.rows = written
            dataset.save(update_fields=["rows"])
            # No column store is built here (it cost 2-4 s of a million-row import): a new
            # dataset has none, the job runner queues its build after the import, and until
            # then the first cross-tab builds it (`columns.load`); never a stale one.
            audit_record(action="stats.dataset.imported", actor=actor, organisation=org,
                         obj=dataset, payload={"format": kind, "rows": written})
    except _Rollback:
        return report, None
    return report, dataset


# --- background jobs ----------------------------------------------------------------------

def _kind(job: ImportJob | ExportJob) -> str:
    return "export" if isinstance(job, ExportJob) else "import"


def job_key_name(job: ImportJob | ExportJob) -> str:
    """The name bound into the job's wrapped data key ("import-12", "export-7")."""
    return f"{_kind(job)}-{job.pk}"


def _aad(job: ImportJob | ExportJob, index: int) -> bytes:
    return f"bridgeway.stats.{_kind(job)}|{job.pk}|{index}".encode()


def _job_path(job: ImportJob | ExportJob) -> Path:
    if isinstance(job, ExportJob):
        return Path(settings.BRIDGEWAY_EXPORT_DIR) / f"export-{job.pk}.sealed"
    return Path(settings.BRIDGEWAY_IMPORT_DIR) / f"job-{job.pk}.sealed"


def _store_sealed(job: ImportJob | ExportJob, chunks: Iterable[bytes]) -> None:
    """Writes `chunks` sealed with a new data key of the job's own (wrapped by the KEK, kept on
    the job's row): an import's upload, or an export's file. Nothing is written in clear."""
    key = crypto.new_data_key()
    job.kek_id = settings.BRIDGEWAY_KEK_ACTIVE
    job.wrapped_key = crypto.wrap_data_key(key, key_id=job.kek_id, subject_id=job_key_name(job))
    path = _job_path(job)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    index = 0
    with open(path, "wb") as fh:
        for chunk in chunks:
            sealed = crypto.seal(key, bytes(chunk), _aad(job, index))
            fh.write(struct.pack(">I", len(sealed)) + sealed)
            index += 1
        # An empty last chunk: a truncated file is noticed.
        sealed = crypto.seal(key, b"", _aad(job, -1))
        fh.write(struct.pack(">I", len(sealed)) + sealed)


class _SealedReader(io.RawIOBase):
    """The job's sealed file (an import's upload, an export's result), decrypted chunk by
    chunk as it is read: the clear text exists only in memory, one chunk (1 MiB) at a time. A
    chunk that fails authentication, or a file cut short before its empty last chunk, raises."""

    def __init__(self, job: ImportJob | ExportJob) -> None:
        self.job = job
        self.what = _kind(job)
        self.key = crypto.unwrap_data_key(bytes(job.wrapped_key), key_id=job.kek_id,
                                          subject_id=job_key_name(job))
        self.fh = open(_job_path(job), "rb")  # noqa: SIM115 (closed by close())
        self.index, self.ended, self.buffer, self.offset = 0, False, b"", 0

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        head = self.fh.read(4)
        if not head:
            raise ValueError(f"the stored {self.what} is truncated")
        sealed = self.fh.read(struct.unpack(">I", head)[0])
        try:
            plain = crypto.open_sealed(self.key, sealed, _aad(self.job, self.index),
                                       what=self.what)
        except Exception:
            crypto.open_sealed(self.key, sealed, _aad(self.job, -1), what=self.what)
            self.ended = True
            return b""
        self.index += 1
        return plain

    def readinto(self, target: Any) -> int:
        while self.offset >= len(self.buffer) and not self.ended:
            self.buffer, self.offset = self._next_chunk(), 0
        n = min(len(target), len(self.buffer) - self.offset)
        target[:n] = memoryview(self.buffer)[self.offset:self.offset + n]
        self.offset += n
        return n

    def close(self) -> None:
        self.fh.close()
        super().close()


class _SealedUpload:
    """A source for `stats.files`: each `open_bytes()` reads the sealed upload again."""

    def __init__(self, job: ImportJob | ExportJob) -> None:
        self.job = job

    def open_bytes(self) -> BinaryIO:
        return io.BufferedReader(_SealedReader(self.job), buffer_size=_CHUNK)


class _InMemory:
    """An XLSX is a zip, read by seeking: it is held in memory (at most the import size
    limit), never written out."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def open_bytes(self) -> BinaryIO:
        return io.BytesIO(self.data)


def job_input_present(job: ImportJob | ExportJob) -> bool:
    return bool(job.wrapped_key) and _job_path(job).exists()


def job_discard_input(job: ImportJob | ExportJob) -> None:
    """The sealed file (an import's upload, an export's result) and its key go: nothing of the
    file is left."""
    _job_path(job).unlink(missing_ok=True)
    if job.wrapped_key is not None:
        type(job)._default_manager.filter(pk=job.pk).update(wrapped_key=None)
        job.wrapped_key = None


def job_interrupted(job: ImportJob, *, resumed: bool) -> None:
    """Recorded when a worker died under the job (`core.jobs.recover`)."""
    audit_record(action="stats.import.resumed" if resumed else "stats.import.interrupted",
                 organisation=job.organisation, obj=job,
                 payload={"attempts": job.attempts, "format": job.kind})


def job_sweep() -> int:
    """Deletes files under BRIDGEWAY_IMPORT_DIR that no running or waiting job needs: clear
    copies (`.plain`) left by versions before uploads were read sealed, sealed uploads of
    finished or deleted jobs, and anything else unknown there for an hour (a job being
    created writes its file just after its row)."""
    import re
    import time

    directory = Path(settings.BRIDGEWAY_IMPORT_DIR)
    if not directory.is_dir():
        return 0
    pending = set(ImportJob.objects.filter(
        status__in=[ImportJob.Status.WAITING, ImportJob.Status.RUNNING]).values_list("pk", flat=True))
    removed = 0
    for path in directory.iterdir():
        if not path.is_file():
            continue
        match = re.fullmatch(r"job-(\d+)\.sealed", path.name)
        young = time.time() - path.stat().st_mtime < 3600
        if path.suffix == ".plain":
            stale = True
        elif match:
            pk = int(match[1])
            stale = pk not in pending and (
                not young or ImportJob.objects.filter(pk=pk).exists())
        else:
            stale = not young
        if stale:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def job_create(*, org: Organisation, actor: User, upload: UploadedFile, kind: str, dry_run: bool,
               label: str = "") -> ImportJob:
    """Checks the upload's size and kind, stores it sealed outside the web root and records
    the job. Nothing is read yet."""
    _check_role(actor, org)
    _check_kind(org, kind)
    limit = settings.BRIDGEWAY_IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": [too_large_message()]})
    # The content decides, not the name: anything that is not a zip container is read as CSV,
    # and the CSV checks name the problem (binary, UTF-16, wrong delimiter).
    head = upload.read(8)
    upload.seek(0)
    file_type = "xlsx" if head.startswith(b"PK\x03\x04") else "csv"
    job = ImportJob.objects.create(organisation=org, created_by=actor, kind=kind,
                                   label=label[:120], file_type=file_type, size=upload.size,
                                   dry_run=dry_run)
    _store_sealed(job, upload.chunks(_CHUNK))
    job.save(update_fields=["kek_id", "wrapped_key"])
    return job


def too_large_message() -> str:
    from django.template.defaultfilters import filesizeformat

    # filesizeformat, not whole MiB: a limit under 1 MiB was announced as "0 MiB".
    return _("The file is larger than %(size)s, the most an import accepts. Split it, or ask "
             "the platform administrator to raise BRIDGEWAY_IMPORT_MAX_BYTES. Nothing was "
             "imported.") % {"size": filesizeformat(settings.BRIDGEWAY_IMPORT_MAX_BYTES)}


def job_run(job_id: int) -> ImportJob:
    """Reads the sealed upload (decrypted in memory as it is read: nothing in clear touches the
    disk) and checks or imports it, as the holder of the job's lease (`core.jobs.running`): a
    job already finished, or run by another process, is left alone. If the process dies, the
    import's transaction dies with it and `core.jobs.recover` resumes or fails the job."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    with jobs.running(job) as run:
        if run is None:
            job.refresh_from_db()
            return job
        job = _job_run(job, run)
    if job.finished:
        job_discard_input(job)
    return job


def _job_run(job: ImportJob, run: jobs.Run) -> ImportJob:
    source = _SealedUpload(job)
    try:
        real_type = files.sniff_type(source)
    except files.FileProblem as exc:
        report = Report()
        report.add(exc.row, exc.column, exc.problem)
        return _finish(job, report, None)
    if real_type == "xlsx":
        with source.open_bytes() as fh:
            source = _InMemory(fh.read())
    job.file_type = real_type
    job.rows_total = max((files.count_lines(source) if real_type == "csv" else
                          _safe_xlsx_count(source)) - 1, 0)
    job.save(update_fields=["file_type", "rows_total"])
    run.progress(0, job.rows_total)

    try:
        report, dataset = import_file(org=job.organisation, actor=job.created_by, path=source,
                                      kind=job.kind, file_type=real_type,
                                      dry_run=job.dry_run, label=job.label,
                                      progress=run.progress)
    except Duplicate as dup:
        report = Report()
        report.notices.append(_("This file was imported before (%(when)s): nothing was "
                                "added.") % {"when": dup.dataset.created_at.date().isoformat()})
        job.status = ImportJob.Status.DUPLICATE
        return _finish(job, report, dup.dataset)
    job = _finish(job, report, dataset)
    if dataset is not None:
        from bridgeway.stats.tasks import build_columns

        # Its own task, after the import: the import does not wait for it.
        build_columns.enqueue(dataset.pk)
    return job


def _safe_xlsx_count(path: Path) -> int:
    try:
        files.check_xlsx(path)
        return files.xlsx_row_count(path)
    except Exception:
        return 0


def _finish(job: ImportJob, report: Report, dataset: Dataset | None) -> ImportJob:
    if job.status != ImportJob.Status.DUPLICATE:
        job.status = ImportJob.Status.DONE if report.ok and (dataset or job.dry_run) \
            else ImportJob.Status.FAILED
    job.report = report.as_dict()
    job.rows_done = report.rows
    if job.rows_total < report.rows:
        job.rows_total = report.rows
    job.dataset = dataset
    job.finished_at = timezone.now()
    job.wrapped_key = None  # the sealed upload is deleted; its key goes too
    job.save()
    return job


def job_start(job: ImportJob) -> ImportJob:
    """Small files are read at once; larger ones by the worker (the task gets the id only)."""
    if job.size <= settings.BRIDGEWAY_IMPORT_INLINE_BYTES:
        return job_run(job.pk)
    jobs.enqueue(job)
    job.refresh_from_db()
    return job



# --- exports in the background ------------------------------------------------------------

def export_is_large(org: Organisation, fmt: str) -> bool:
    """Whether the export is past `BRIDGEWAY_STATS_INLINE_EXPORT_ROWS`: a job, not a reply."""
    from bridgeway.stats import exporting

    return exporting.row_count(org, fmt) > settings.BRIDGEWAY_STATS_INLINE_EXPORT_ROWS


@transaction.atomic
def export_job_create(*, org: Organisation, actor: User, fmt: str, personal: bool,
                      screen: str) -> ExportJob:
    """Records an export for the worker after the same checks as an export built at once (the
    caller has checked re-authentication). Nothing is read yet; the task gets the id only."""
    from bridgeway.stats import exporting

    exporting.check_export(user=actor, org=org, fmt=fmt, personal=personal)
    job = ExportJob.objects.create(organisation=org, created_by=actor, layout=fmt,
                                   personal=personal, screen=screen[:40],
                                   rows_total=exporting.row_count(org, fmt))
    audit_record(action="stats.export.queued", actor=actor, organisation=org, obj=job,
                 payload={"format": fmt, "personal": personal})
    return job


def export_job_start(job: ExportJob) -> ExportJob:
    jobs.enqueue(job)
    job.refresh_from_db()
    return job


def export_job_run(job_id: int) -> ExportJob:
    """Builds the export as the holder of the job's lease (`core.jobs.running`), without the
    web's statement timeout, and stores the file sealed with the job's own key: nothing in clear
    touches the disk. The permissions are checked again, as of now. The audit events and the
    access log are those of an export built at once, written in the same transaction as the
    job's end: a worker that dies leaves neither, and the job is resumed or failed."""
    from bridgeway.stats import exporting

    job = ExportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    with jobs.running(job) as run:
        if run is None:
            job.refresh_from_db()
            return job
        try:
            with without_statement_timeout():
                content, _ctype, _name = exporting.export_file(
                    user=job.created_by, org=job.organisation, fmt=job.layout,
                    personal=job.personal, screen=job.screen, progress=run.progress)
                _store_sealed(job, (content[i:i + _CHUNK]
                                    for i in range(0, len(content), _CHUNK)))
                job.size = len(content)
                job.rows_done = job.rows_total = run.rows_done
                job.status = ExportJob.Status.DONE
                job.finished_at = timezone.now()
                job.save(update_fields=["kek_id", "wrapped_key", "size", "rows_done",
                                        "rows_total", "status", "finished_at"])
        except PermissionDenied as exc:
            job_discard_input(job)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED, problem=str(exc)[:200],
                finished_at=timezone.now(), worker="")
            job.refresh_from_db()
    return job


def export_download(*, job: ExportJob, actor: User) -> tuple[bytes, str, str]:
    """The finished export's file for its creator, the permissions checked again (the caller
    checks re-authentication for personal data); the sealed file and its key are deleted
    once read. A file already downloaded, expired or not ready is a 404."""
    from django.http import Http404

    from bridgeway.stats import exporting

    if job.created_by_id != actor.pk or job.status != ExportJob.Status.DONE \
            or not job_input_present(job):
        raise Http404
    exporting.check_export(user=actor, org=job.organisation, fmt=job.layout,
                           personal=job.personal)
    with _SealedUpload(job).open_bytes() as fh:
        content = fh.read()
    with transaction.atomic():
        moved = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.GONE)
        if not moved:  # downloaded at the same moment by another request
            raise Http404
        audit_record(action="stats.export.downloaded", actor=actor,
                     organisation=job.organisation, obj=job,
                     payload={"format": job.layout, "rows": job.rows_total,
                              "personal": job.personal})
    job_discard_input(job)
    ctype, filename = exporting.file_meta(job.organisation, job.layout)
    return content, ctype, filename


def export_interrupted(job: ExportJob, *, resumed: bool) -> None:
    """Recorded when a worker died under the export (`core.jobs.recover`)."""
    audit_record(action="stats.export.resumed" if resumed else "stats.export.interrupted",
                 organisation=job.organisation, obj=job,
                 payload={"attempts": job.attempts, "format": job.layout})


def export_sweep() -> int:
    """Deletes exports not downloaded within BRIDGEWAY_EXPORT_KEEP_HOURS (the job is marked
    expired), and any file under BRIDGEWAY_EXPORT_DIR that no waiting, running or ready job
    owns and that is older than an hour (a job being built writes its file just before its
    row says so)."""
    import re
    import time
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(hours=settings.BRIDGEWAY_EXPORT_KEEP_HOURS)
    removed = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff):
        if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
                status=ExportJob.Status.GONE):
            removed += int(_job_path(job).exists())
            job_discard_input(job)
    directory = Path(settings.BRIDGEWAY_EXPORT_DIR)
    if not directory.is_dir():
        return removed
    kept = set(ExportJob.objects.filter(status__in=[
        ExportJob.Status.WAITING, ExportJob.Status.RUNNING, ExportJob.Status.DONE,
    ]).values_list("pk", flat=True))
    for path in directory.iterdir():
        if not path.is_file():
            continue
        match = re.fullmatch(r"export-(\d+)\.sealed", path.name)
        young = time.time() - path.stat().st_mtime < 3600
        if match and int(match[1]) in kept:
            continue
        ended = match is not None and ExportJob.objects.filter(
            pk=int(match[1]), status__in=[ExportJob.Status.GONE, ExportJob.Status.FAILED]).exists()
        if ended or not young:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --- live cases ---------------------------------------------------------------------------

def _live_record(org: Organisation, dataset: Dataset, case: dict, services: list[str] | None = None, *,
                 record_key: int | None = None) -> StatRecord:
    age = case["age_at_intake"]
    relation = case["relationship_to_trafficker"]
    return StatRecord(
        organisation=org, dataset=dataset, year_of_registration=case["opened_on"].year,
        datasource="CaseManagement", gender=HTCDS_GENDER_TO_STORE.get(case["gender"], ""),
        age_band=age_band(age), is_child=case["is_child"],
        majority_status="Minor" if case["is_child"] else ("Adult" if age is not None else ""),
        citizenship=case["citizenship"], country_of_exploitation=case["exploitation_country"],
        country_of_recruitment=case["recruitment_country"],
        means_of_control=list(dict.fromkeys(HTCDS_CONTROL_TO_CTDC[c]
                                            for c in case["control_methods"] or []
                                            if c in HTCDS_CONTROL_TO_CTDC)),
        exploitation=list(dict.fromkeys(HTCDS_EXPLOITATION_TO_STORE[c]
                                        for c in case["exploitation_types"] or []
                                        if c in HTCDS_EXPLOITATION_TO_STORE)),
        recruiter_relations=[HTCDS_RELATION_TO_STORE[relation]] if relation else [],
        forced_labour_industry=case["forced_labour_industry"],
        trafficking_status=case["trafficking_status"],
        recruitment_methods=list(case["recruitment_methods"] or []),
        services=list(services or []), record_key=record_key)


@transaction.atomic
def live_refresh(*, org: Organisation, actor: User) -> Dataset:
    """Rebuilds the organisation's "live cases" dataset from its cases' coded fields, so
    dashboards read one store."""
    from bridgeway.cases.queries import coded_case_rows, service_codes_by_case

    _check_role(actor, org)
    if org.is_network:
        raise ValidationError(_("A network holds no cases of its own."))
    dataset, _created = Dataset.objects.get_or_create(
        organisation=org, kind=DatasetKind.LIVE,
        defaults={"label": "live", "created_by": actor})
    # One refresh at a time, and no column rebuild reading the records while they are replaced
    # (two refreshes could each delete what they see and insert, doubling the counts: a cell of
    # 6 would pass k = 11). StatRecord has no database foreign key either: the lock also keeps a
    # deletion running at the same time (dataset_delete locks it too) from leaving records
    # without their dataset.
    if not lock_dataset(dataset.pk):
        dataset = Dataset.objects.create(organisation=org, kind=DatasetKind.LIVE, label="live",
                                         created_by=actor)
    dataset.records.all().delete()
    delivered = service_codes_by_case(org)
    cases = coded_case_rows(org)
    # Each record's key for the rounding of published counts comes from its case, so the same
    # cases refreshed again give the same published numbers (stats.disclosure).
    keys = [disclosure.identity_key("case", org.pk, c["pk"]) for c in cases]
    records = [_live_record(org, dataset, c, delivered.get(c["pk"]), record_key=key)
               for c, key in zip(cases, keys, strict=True)]
    StatRecord.objects.bulk_create(records, batch_size=2000)
    dataset.rows = len(records)
    dataset.save(update_fields=["rows"])
    columns.rebuild(dataset)
    audit_record(action="stats.live.refreshed", actor=actor, organisation=org, obj=dataset,
                 payload={"rows": len(records)})
    return dataset


@transaction.atomic
def dataset_delete(*, dataset: Dataset, actor: User) -> None:
    _check_role(actor, dataset.organisation)
    # Locked first: a live refresh writing its records waits, or is waited for (no database
    # foreign key on StatRecord to stop it adding records to a dataset being deleted).
    lock_dataset(dataset.pk)
    org = dataset.organisation
    audit_record(action="stats.dataset.deleted", actor=actor, organisation=org, obj=dataset,
                 payload={"rows": dataset.rows})
    dataset.delete()


# --- safe release -------------------------------------------------------------------------------

def _release_raw(dataset: Dataset) -> list[dict]:
    return list(dataset.records.values(*set(DIMENSIONS.values())))


def _release_counts(dataset: Dataset, dim: str) -> Counter[Any]:
    """Records per raw value of one dimension, from the column store."""
    from collections import Counter

    import numpy as np

    values, codes_ = columns.load(dataset, [dim])[0]
    counts = np.bincount(codes_, minlength=len(values)) if len(codes_) else []
    return Counter({value: int(n) for value, n in zip(values, counts, strict=False) if n})


def _protect_cells(result: dict, sizes: list[int], key_sums: list[int] | None,
                   dataset: Dataset, dims: list[str], k: int) -> None:
    """A cross-tab's published counts: every count of k or more rounded at random to a multiple
    of 5 by its cell key (the same method as the network dashboards, `stats.disclosure`), so
    releases of one dataset over different dimensions cannot be set against each other to
    recover a suppressed cell; suppressed cells stay null. Then the audit of the table with its
    margins (`_audit_crosstab`) changes roundings until no suppressed cell can be worked out by
    subtraction, or refuses the release."""

    cells = [disclosure.Cell(n, key_sums[i] if key_sums is not None else disclosure.identity_key(
        "crosstab", dataset.pk, *dims, *c["values"], n), k)
        for i, (c, n) in enumerate(zip(result["cells"], sizes, strict=True))]
    _audit_crosstab(result, cells, dataset, dims, k)
    for cell, c in zip(cells, result["cells"], strict=True):
        c["count"] = None if isinstance(cell.shown, str) else cell.shown
    result["rounded"] = disclosure.BASE


def _audit_crosstab(result: dict, cells: list, dataset: Dataset, dims: list[str],
                    k: int) -> None:
    """The worst case of what an outsider knows beside the table: the exact number of records
    (the dataset's size is shown to its organisation), and each row's and column's total as
    any other view of the same records shows it (rounded by the key of those records, as a
    dashboard or a one-way release does). For tables of more than two dimensions, each
    dimension's one-way totals. Refuses the release, naming the dimensions, when no change of
    rounding leaves every suppressed cell at least two possible values."""
    positions = [tuple(c["values"]) for c in result["cells"]]
    sums: list[tuple[list[int], disclosure.Margin]] = []
    for axis in range(len(dims)):
        for value in dict.fromkeys(p[axis] for p in positions):
            members = [i for i, p in enumerate(positions) if p[axis] == value]
            n = sum(cells[i].n for i in members)
            margin_key = sum(cells[i].key for i in members)
            sums.append((members, disclosure.Cell(n, margin_key, k)))
    everyone = sum(c.n for c in cells)
    sums.append((list(range(len(cells))), (everyone, everyone)))
    left = disclosure.secure(cells, lambda: disclosure.table_witnesses(cells, sums, k), k,
                             near=disclosure.neighbours(cells, sums, k))
    if left:
        raise ValidationError({"dimensions": [_(
            "The cross-tab of %(dimensions)s cannot be published safely: a suppressed cell "
            "could be worked out from the other counts and the totals. Choose other dimensions "
            "or another k; nothing was saved.")
            % {"dimensions": " × ".join(method.dimension_label(d) for d in dims)}]})


def release_crosstab(dataset: Dataset, dims: list[str], k: int) -> dict:
    """A k-anonymous cross-tab of a dataset from its column store (`stats.columns`): the
    combinations counted with numpy, generalised and suppressed over those counts."""
    return columns.crosstab(columns.load(dataset, dims), dims, k)


def release_crosstab_sql(dataset: Dataset, dims: list[str], k: int) -> dict:
    """The same cross-tab counted by the database (one row per combination of raw values) and
    generalised and suppressed over those counts: the reference the column store is tested
    against."""
    from django.db.models import Count

    fields = [DIMENSIONS[d] for d in dims]
    grouped = (dataset.records.order_by().values(*fields).annotate(n=Count("id"))
               .values_list(*fields, "n"))
    return crosstab_counts({tuple(row[:-1]): row[-1] for row in grouped}, dims, k)


@transaction.atomic
def budget_set(*, dataset: Dataset, actor: User, total_epsilon: float) -> PrivacyBudget:
    _check_role(actor, dataset.organisation)
    budget = budget_of(dataset)
    budget = PrivacyBudget.objects.select_for_update().get(pk=budget.pk)
    if not 0 < total_epsilon <= 10:
        raise ValidationError({"total_epsilon": [_("Choose a total ε above 0 and at most 10.")]})
    if total_epsilon < budget_spent(budget):
        raise ValidationError({"total_epsilon": [
            _("%(spent)s of ε is already spent; the total cannot be lower.")
            % {"spent": round(budget_spent(budget), 4)}]})
    budget.total_epsilon = total_epsilon
    budget.save(update_fields=["total_epsilon", "updated_at"])
    audit_record(action="stats.budget.set", actor=actor, organisation=dataset.organisation,
                 obj=dataset, payload={"total_epsilon": str(total_epsilon)})
    return budget


def release_create(*, org: Organisation, actor: User, dataset: Dataset, kind: str, title: str,
                   dimensions: list[str], k: int = 11, epsilon: float | None = None) -> Release:
    """Builds and saves a draft release (`_release_create`). A large dataset whose column
    store is not built yet (the moment just after its import) is handed to the worker first
    and the request refused with a message: building it takes seconds to minutes."""
    from bridgeway.stats.release import DIMENSIONS

    _check_role(actor, org)
    if dataset.organisation_id != org.pk:
        raise PermissionDenied(_("You can only release your own organisation's datasets."))
    wanted = [*(d for d in dict.fromkeys(dimensions) if d in DIMENSIONS), columns.KEY]
    if dataset.rows > settings.BRIDGEWAY_STATS_INLINE_ROWS and not columns.built(dataset, wanted):
        # Outside the release's transaction, so the queued task is not rolled back with it.
        columns.queue_build(dataset)
        raise ValidationError({"dataset": [_(
            "This dataset is still being prepared for releases (about 15 seconds per million "
            "records). Try again in a moment; nothing was saved.")]})
    return _release_create(org=org, actor=actor, dataset=dataset, kind=kind, title=title,
                           dimensions=dimensions, k=k, epsilon=epsilon)


@transaction.atomic
def _release_create(*, org: Organisation, actor: User, dataset: Dataset, kind: str, title: str,
                    dimensions: list[str], k: int = 11, epsilon: float | None = None) -> Release:
    """Builds and saves a draft release. A DP release spends ε from the dataset's budget (the
    noise is drawn now, so it counts even if the draft is never published); beyond the budget
    it is refused and nothing is spent."""
    _check_role(actor, org)
    if dataset.organisation_id != org.pk:
        raise PermissionDenied(_("You can only release your own organisation's datasets."))
    errors: dict[str, list] = {}
    if kind not in Release.Kind.values:
        errors["kind"] = [_("Choose a method.")]
    allowed = method.DP_DIMENSIONS if kind == Release.Kind.DP_COUNTS else list(method.DIMENSIONS)
    dimensions = list(dict.fromkeys(dimensions))
    if not dimensions or any(d not in allowed for d in dimensions):
        errors["dimensions"] = [_("Choose dimensions from: %(names)s.")
                                % {"names": ", ".join(allowed)}]
    elif kind == Release.Kind.DP_COUNTS and len(dimensions) != 1:
        errors["dimensions"] = [_("Differentially private counts take one dimension.")]
    if not title.strip():
        errors["title"] = [_("Give the release a title.")]
    if kind != Release.Kind.DP_COUNTS and not 2 <= k <= 100:
        errors["k"] = [_("k must be between 2 and 100.")]
    if kind == Release.Kind.DP_COUNTS and not (epsilon and 0 < epsilon <= 10):
        errors["epsilon"] = [_("Choose an ε above 0.")]
    if errors:
        raise ValidationError(errors)
    wanted = [*dimensions, columns.KEY]
    release = Release(organisation=org, dataset=dataset, title=title.strip()[:120], kind=kind,
                      dimensions=dimensions, created_by=actor)
    if kind == Release.Kind.DP_COUNTS:
        budget = PrivacyBudget.objects.select_for_update().get(pk=budget_of(dataset).pk)
        left = budget.total_epsilon - budget_spent(budget)
        if epsilon > left + 1e-12:
            raise ValidationError({"epsilon": [
                _("Refused: this query needs ε = %(eps)s but only %(left)s of the dataset's "
                  "budget of %(total)s is left. Nothing was spent.")
                % {"eps": epsilon, "left": round(max(left, 0), 4), "total": budget.total_epsilon}]})
        release.epsilon = epsilon
        release.k = 0
        release.result = method.dp_histogram_counts(_release_counts(dataset, dimensions[0]),
                                                    dimensions[0], epsilon)
        release.save()
        BudgetEntry.objects.create(budget=budget, epsilon=epsilon, spent_by=actor,
                                   purpose=f"release {release.pk}: {dimensions[0]}",
                                   release=release)
    else:
        release.k = k
        # Both read the column store, never the records one by one.
        extras: dict = {}
        loaded = columns.load(dataset, wanted)
        result = columns.crosstab(loaded[:-1], dimensions, k, keys=loaded[-1][1], extras=extras)
        # pycanon checks the true table (as many rows per cell as records): an extract's rows.
        checked = method.pycanon_k_crosstab(result, dimensions)
        if checked is not None and checked < k:
            raise ValidationError(_("The independent check (pycanon) found k = %(k)s; the "
                                    "release was not saved.") % {"k": checked})
        if kind == Release.Kind.EXTRACT:
            result = {"dimensions": dimensions, "rows": method.crosstab_rows(result),
                      "steps": result["steps"],
                      # What is published of the records left out: rounded like a count.
                      "suppressed": disclosure.rounded(
                          extras["suppressed_records"],
                          disclosure.identity_key("extract", dataset.pk, *dimensions, k,
                                                  extras["suppressed_records"]))}
        else:
            _protect_cells(result, extras["sizes"], extras["key_sums"], dataset, dimensions, k)
        result["pycanon_k"] = checked
        release.generalisations = result["steps"]
        release.suppressed = result["suppressed"]
        release.result = result
        release.save()
    audit_record(action="stats.release.created", actor=actor, organisation=org, obj=release,
                 payload={"kind": kind, "dataset": dataset.pk, "dimensions": dimensions,
                          "k": release.k, "epsilon": str(epsilon) if epsilon else None})
    return release


@transaction.atomic
def release_approve(*, release: Release, actor: User) -> Release:
    _check_role(actor, release.organisation)
    if release.created_by_id == actor.pk:
        raise PermissionDenied(_("A second person must approve: you created this release."))
    if release.status != Release.Status.DRAFT:
        raise ValidationError(_("Only a draft can be approved."))
    release.status = Release.Status.APPROVED
    release.approved_by = actor
    release.approved_at = timezone.now()
    release.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(action="stats.release.approved", actor=actor, organisation=release.organisation,
                 obj=release)
    return release


@transaction.atomic
def release_publish(*, release: Release, actor: User) -> Release:
    _check_role(actor, release.organisation)
    if release.status != Release.Status.APPROVED:
        raise ValidationError(_("A release is published only after a second person approved it."))
    release.status = Release.Status.PUBLISHED
    release.published_at = timezone.now()
    release.save(update_fields=["status", "published_at"])
    audit_record(action="stats.release.published", actor=actor,
                 organisation=release.organisation, obj=release)
    return release
