"""Funding data in and out: the 360Giving data standard (JSON, and spreadsheets through
flattentool), validated against the published schema shipped in `schemas/` (360Giving Data
Standard, CC BY 4.0, https://github.com/ThreeSixtyGiving/standard); a simple CSV/XLSX ledger;
formula-safe CSV/XLSX exports.

Imports follow the statistics import's rule: every row is checked and reported (a dry run stops
there); a real import writes every record or none."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgeway.core.spreadsheets import FORMULA_START, safe_cell, xlsx_bytes
from bridgeway.funding import queries, services
from bridgeway.funding.codes import FunderType, GrantStatus
from bridgeway.funding.models import Funder, FundingRecord
from bridgeway.orgs.models import Organisation
from bridgeway.protection.audit import audit_record

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

SCHEMAS = Path(__file__).parent / "schemas"
GRANT_SCHEMA = "360-giving-schema.json"
PACKAGE_SCHEMA = "360-giving-package-schema.json"
MAX_PROBLEMS = 200
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Report:
    rows: int = 0
    written: int = 0
    problems: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = True

    def add(self, where: str, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"where": where, "problem": str(problem)})

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"rows": self.rows, "written": self.written, "problems": self.problems,
                "notices": self.notices, "dry_run": self.dry_run, "ok": self.ok}


class _Rollback(Exception):
    pass


# --- the 360Giving schema --------------------------------------------------------------------

@cache
def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@cache
def combined_schema() -> dict:
    """The package schema with the grant schema inlined (its $defs at the root), so validation
    and flattentool resolve every reference locally: nothing is fetched."""
    package = copy.deepcopy(_schema(PACKAGE_SCHEMA))
    grant = copy.deepcopy(_schema(GRANT_SCHEMA))
    package["$defs"] = grant.pop("$defs")
    grant.pop("$id", None)
    grant.pop("$schema", None)
    package["properties"]["grants"]["items"] = grant
    package.pop("$id", None)
    return package


@cache
def _format_checker():
    """The schema's dates are "a date-time, or YYYY-MM-DD" (oneOf): date-time must really be
    checked, or a plain date would match both branches. jsonschema checks it only with an extra
    package, so it is checked here (RFC 3339: a date, "T", a time and a zone)."""
    import re
    from datetime import datetime

    from jsonschema import FormatChecker

    checker = FormatChecker()
    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not pattern.match(value):
            return False
        try:
            datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
        except ValueError:
            return False
        return True

    return checker


def schema_problems(data: Any) -> list[tuple[str, str]]:
    """(JSON path, message) for each way `data` fails the 360Giving package schema."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(combined_schema(), format_checker=_format_checker())
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(str(p) for p in err.absolute_path) or "(top)"
        message = err.message
        if err.validator == "oneOf" and err.schema_path and "required" in str(err.schema):
            message = _("a grant needs id, title, description, currency, amountAwarded, "
                        "awardDate, fundingOrganization and a recipient")
        out.append((path, message))
    return out


# --- import ----------------------------------------------------------------------------------

def _load_360(content: bytes, filename: str, report: Report) -> Any:
    name = filename.lower()
    if name.endswith(".json"):
        try:
            return json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            report.add("(file)", _("Not valid JSON: %(error)s") % {"error": exc})
            return None
    if name.endswith((".xlsx", ".csv")):
        return _unflatten(content, name, report)
    report.add("(file)", _("Use a .json, .xlsx or .csv file."))
    return None


TEMP_PREFIX = "bw-360-"
STALE_TEMP_SECONDS = 3600


def sweep_temporary(older_than: int = STALE_TEMP_SECONDS) -> int:
    """Removes the `bw-360-*` directories (flattentool works on paths) that a killed process
    left in the temporary folder: this user's, untouched for `older_than` seconds. Run at each
    spreadsheet import and export and by the job sweep (`core.jobs.sweep`: at worker start and
    every few minutes); returns how many it removed."""
    root = Path(tempfile.gettempdir())
    limit = time.time() - older_than
    removed = 0
    try:
        candidates = list(root.glob(f"{TEMP_PREFIX}*"))
    except OSError:
        return 0
    for path in candidates:
        try:
            st = path.lstat()
        except OSError:
            continue  # gone already (another process swept it)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mtime > limit:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed += not path.exists()
    return removed


def _unflatten(content: bytes, name: str, report: Report) -> Any:
    """A 360Giving spreadsheet (column titles as 360Giving publishes them) to JSON, through
    flattentool. Grants are organisations' money, not personal data; the temporary directory
    is removed at once."""
    from flattentool import unflatten

    sweep_temporary()
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        root = Path(tmp)
        schema = root / "schema.json"
        schema.write_text(json.dumps(combined_schema()), encoding="utf-8")
        if name.endswith(".csv"):
            folder = root / "in"
            folder.mkdir()
            (folder / "grants.csv").write_bytes(content)
            source, fmt = folder, "csv"
        else:
            source = root / "in.xlsx"
            source.write_bytes(content)
            fmt = "xlsx"
        out = root / "out.json"
        cell_map = root / "cells.json"
        try:
            unflatten(str(source), input_format=fmt, output_name=str(out), schema=str(schema),
                      root_list_path="grants", root_id="", convert_titles=True,
                      cell_source_map=str(cell_map), disable_local_refs=False)
            data = json.loads(out.read_text(encoding="utf-8"))
            cells = json.loads(cell_map.read_text(encoding="utf-8"))
        except Exception as exc:  # flattentool raises many kinds on a broken sheet
            report.add("(file)", _("The spreadsheet could not be read: %(error)s")
                       % {"error": type(exc).__name__})
            return None
    data["_cells"] = cells
    return data


def _where(path: str, cells: dict | None) -> str:
    """The JSON path, and the sheet row it came from when the input was a spreadsheet."""
    if not cells:
        return path
    found = cells.get(path)
    if found:
        sheet, col, row, header = found[0][:4] if len(found[0]) >= 4 else (*found[0], "")[:4]
        return _("%(path)s (sheet %(sheet)s, row %(row)s, column %(header)s)") % {
            "path": path, "sheet": sheet, "row": row, "header": header or col}
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    return _where(parent, cells) if parent and parent != path else path


def _date(raw: Any) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


def _to_record(grant: dict, org: Organisation, i: int, report: Report, cells: dict | None,
               new_funders: dict) -> tuple[services.RecordData, dict] | None:
    base = f"grants/{i}"
    own = queries.profile_of(org)
    recipients = grant.get("recipientOrganization") or []
    if own and own.org_identifier and recipients and recipients[0].get("id") and \
            recipients[0]["id"] != own.org_identifier:
        report.add(_where(f"{base}/recipientOrganization/0/id", cells),
                   _("This grant is to %(them)s, not to your organisation (%(us)s).")
                   % {"them": recipients[0]["id"], "us": own.org_identifier})
        return None
    funder_info = (grant.get("fundingOrganization") or [{}])[0]
    fid, fname = str(funder_info.get("id", "")).strip(), str(funder_info.get("name", "")).strip()
    funder = (Funder.objects.filter(org_identifier=fid).first() if fid else None) or \
        Funder.objects.filter(name__iexact=fname).first()
    funder_type = funder.funder_type if funder else FunderType.OTHER
    if funder is None:
        new_funders[fname.lower()] = (fname, fid)
        report.notices.append(_("%(name)s is not in the funder register: it will be added with "
                                "the type Other; correct the type afterwards.") % {"name": fname})
    received: dict[int, Decimal] = {}
    for t, tx in enumerate(grant.get("disbursementTransaction") or []):
        when = _date(tx.get("transactionDate"))
        if when is None:
            report.add(_where(f"{base}/disbursementTransaction/{t}/transactionDate", cells),
                       _("A disbursement needs its date."))
            return None
        received[when.year] = received.get(when.year, Decimal(0)) + Decimal(str(tx.get("value", 0)))
    if not received and grant.get("amountDisbursed") is not None and _date(grant.get("awardDate")):
        received[_date(grant["awardDate"]).year] = Decimal(str(grant["amountDisbursed"]))  # type: ignore[union-attr]
    planned = (grant.get("plannedDates") or [{}])[0]
    data = services.RecordData(
        title=str(grant.get("title", ""))[:200], funder_type=funder_type,
        currency=str(grant.get("currency", "")), funder_id=funder.pk if funder else None,
        funder_country=funder.country if funder else "",
        purpose=str(grant.get("description", ""))[:2000],
        amount_awarded=(Decimal(str(grant["amountAwarded"]))
                        if grant.get("amountAwarded") is not None else None),
        starts_on=_date(planned.get("startDate")), ends_on=_date(planned.get("endDate")),
        status=GrantStatus.RECEIVED if received else GrantStatus.AWARDED,
        identifier=str(grant.get("id", ""))[:200], received=received)
    return data, {"funder_name": fname if funder is None else ""}


def grants_import(*, actor: User, org: Organisation, content: bytes, filename: str,
                  dry_run: bool) -> Report:
    """360Giving grants to the organisation as funding records: the file must pass the schema
    (each failure named by its JSON path, and its sheet row for a spreadsheet); all or none."""
    services._as_finance(actor, org)
    report = Report(dry_run=dry_run)
    if len(content) > MAX_BYTES:
        report.add("(file)", _("The file is larger than 20 MB."))
        return report
    data = _load_360(content, filename, report)
    if data is None:
        return report
    cells = data.pop("_cells", None) if isinstance(data, dict) else None
    for path, message in schema_problems(data):
        report.add(_where(path, cells), message)
    if not report.ok:
        return report
    grants = data["grants"]
    report.rows = len(grants)
    known_ids = set(FundingRecord.objects.filter(organisation=org).exclude(identifier="")
                    .values_list("identifier", flat=True))
    new_funders: dict[str, tuple[str, str]] = {}
    prepared = []
    for i, grant in enumerate(grants):
        if grant.get("id") in known_ids:
            report.notices.append(_("%(id)s was imported before: skipped.") % {"id": grant["id"]})
            continue
        got = _to_record(grant, org, i, report, cells, new_funders)
        if got is None:
            continue
        data_i, extra = got
        try:
            for w in services.validate_record(data_i):
                report.notices.append(f"grants/{i}: {w}")
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                for m in msgs:
                    report.add(_where(f"grants/{i}", cells) + f" ({name})", m)
            continue
        prepared.append((data_i, extra))
    if dry_run or not report.ok:
        return report
    _write_all(actor, org, prepared, new_funders, report, "funding.grants.imported")
    return report


def _write_all(actor: User, org: Organisation, prepared: list, new_funders: dict, report: Report,
               action: str) -> None:
    with transaction.atomic():
        created: dict[str, Funder] = {}
        for key, (name, fid) in new_funders.items():
            created[key] = Funder.objects.filter(name__iexact=name).first() or Funder.objects.create(
                name=name, funder_type=FunderType.OTHER, org_identifier=fid, added_by=org)
        for data_i, extra in prepared:
            if extra.get("funder_name"):
                data_i.funder_id = created[extra["funder_name"].lower()].pk
            record = FundingRecord(organisation=org, created_by=actor)
            services._write_record(record, data_i)
            report.written += 1
        if action == "funding.grants.imported":
            audit_record(action="funding.grants.imported", actor=actor, organisation=org,
                         payload={"records": report.written})
        else:
            audit_record(action="funding.ledger.imported", actor=actor, organisation=org,
                         payload={"records": report.written})


# --- the simple ledger -----------------------------------------------------------------------

LEDGER_COLUMNS = ["title", "funder", "funder_type", "funder_country", "currency",
                  "amount_awarded", "year", "received", "restricted", "status", "starts_on",
                  "ends_on", "paid_late", "late_days", "delegated_state_work"]
REQUIRED = ["title", "funder_type", "currency"]
YES = {"yes", "y", "true", "1", "x"}


def _ledger_rows(content: bytes, filename: str, report: Report) -> list[tuple[int, dict]] | None:
    name = filename.lower()
    rows: list[list] = []
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.add("(file)", _("The file is not UTF-8 text."))
            return None
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
    elif name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except Exception as exc:  # a broken or renamed file
            report.add("(file)", _("The spreadsheet could not be read: %(error)s")
                       % {"error": type(exc).__name__})
            return None
        ws = wb.worksheets[0]
        rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    else:
        report.add("(file)", _("Use a .csv or .xlsx file."))
        return None
    if not rows:
        report.add("(file)", _("The file is empty."))
        return None
    header = [str(h or "").strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.add(_("row 1"), _("Missing columns: %(cols)s. The columns are: %(all)s.")
                   % {"cols": ", ".join(missing), "all": ", ".join(LEDGER_COLUMNS)})
        return None
    out = []
    for n, raw in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in raw):
            continue
        out.append((n, {h: raw[i] if i < len(raw) else "" for i, h in enumerate(header) if h}))
    return out


def _cell(row: int, column: str) -> str:
    return _("row %(row)s, column %(column)s") % {"row": row, "column": column}


def ledger_import(*, actor: User, org: Organisation, content: bytes, filename: str,
                  dry_run: bool) -> Report:
    """One row per grant and year received (rows with the same title, funder and start are one
    grant); a cell holding a formula is refused (enter the value). All or nothing."""
    services._as_finance(actor, org)
    report = Report(dry_run=dry_run)
    rows = _ledger_rows(content, filename, report)
    if rows is None:
        return report
    report.rows = len(rows)
    grants: dict[tuple, tuple[services.RecordData, dict, int]] = {}
    new_funders: dict[str, tuple[str, str]] = {}
    known = queries.rates()
    for n, row in rows:
        bad = False
        for column, value in row.items():
            if isinstance(value, str) and value.startswith(FORMULA_START[:4]):
                report.add(_cell(n, column), _("A formula is not accepted: enter the value."))
                bad = True
        if bad:
            continue
        text = {k: str(v).strip() if not isinstance(v, date) else v.isoformat()
                for k, v in row.items()}

        def number(column: str, text=text, n=n) -> Decimal | None:
            raw = text.get(column, "")
            if raw == "":
                return None
            try:
                return Decimal(raw.replace(",", ""))
            except InvalidOperation:
                report.add(_cell(n, column), _("%(value)s is not a number.") % {"value": raw})
                raise

        def day(column: str, text=text, n=n) -> date | None:
            raw = text.get(column, "")
            if not raw:
                return None
            found = _date(raw)
            if found is None:
                report.add(_cell(n, column), _("Write the date as YYYY-MM-DD."))
                raise ValueError
            return found

        try:
            awarded, received = number("amount_awarded"), number("received")
            starts, ends = day("starts_on"), day("ends_on")
            year = int(text["year"]) if text.get("year") else None
            late_days = int(text["late_days"]) if text.get("late_days") else None
        except (InvalidOperation, ValueError):
            if not any(p["where"].startswith(_("row %(row)s") % {"row": n}) for p in report.problems):
                report.add(_cell(n, "year"), _("The year must be a whole number."))
            continue
        if received is not None and year is None:
            report.add(_cell(n, "year"), _("Say in which year the money was received."))
            continue
        funder_type = text.get("funder_type", "")
        fname = text.get("funder", "")
        funder = Funder.objects.filter(name__iexact=fname).first() if fname else None
        if fname and funder is None:
            new_funders[fname.lower()] = (fname, "")
        key = (text["title"].lower(), fname.lower(), starts)
        if key in grants:
            data_i = grants[key][0]
            if year is not None and received is not None:
                data_i.received[year] = data_i.received.get(year, Decimal(0)) + received
            continue
        data_i = services.RecordData(
            title=text["title"], funder_type=funder_type, currency=text["currency"].upper(),
            funder_id=funder.pk if funder else None, funder_country=text.get("funder_country", "").upper(),
            restricted=text.get("restricted", "yes").lower() in YES, amount_awarded=awarded,
            starts_on=starts, ends_on=ends, status=text.get("status") or GrantStatus.AWARDED,
            paid_late=text.get("paid_late", "").lower() in YES, late_days=late_days,
            delegated_state_work=text.get("delegated_state_work", "").lower() in YES,
            received={year: received} if year is not None and received is not None else {})
        grants[key] = (data_i, {"funder_name": fname if funder is None and fname else ""}, n)
    prepared = []
    for data_i, extra, n in grants.values():
        try:
            for w in services.validate_record(data_i, rates=known):
                report.notices.append(_("Row %(row)s: %(warning)s") % {"row": n, "warning": w})
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                for m in msgs:
                    report.add(_cell(n, name), m)
            continue
        prepared.append((data_i, extra))
    if dry_run or not report.ok:
        return report
    _write_all(actor, org, prepared, new_funders, report, "funding.ledger.imported")
    return report


# --- export ----------------------------------------------------------------------------------

EXPORT_HEADER = ["title", "funder", "funder_type", "funder_country", "currency",
                 "amount_awarded", "year", "received", "restricted", "status", "starts_on",
                 "ends_on", "paid_late", "late_days", "delegated_state_work"]


def _ledger_table(org: Organisation) -> list[list]:
    rows: list[list] = [EXPORT_HEADER]
    for r in queries.records_of(org):
        receipts: list[Any] = list(r.receipts.all()) or [None]
        for rec in receipts:
            rows.append([r.title, r.funder.name if r.funder else "", r.funder_type,
                         r.funder_country, r.currency,
                         r.amount_awarded, rec.year if rec else "", rec.amount if rec else "",
                         "yes" if r.restricted else "no", r.status,
                         r.starts_on.isoformat() if r.starts_on else "",
                         r.ends_on.isoformat() if r.ends_on else "",
                         "yes" if r.paid_late else "no", r.late_days,
                         "yes" if r.delegated_state_work else "no"])
    return rows


def grants_package(org: Organisation) -> dict:
    profile = queries.profile_of(org)
    org_id = profile.org_identifier if profile and profile.org_identifier else f"XI-BRIDGEWAY-{org.pk}"
    grants = []
    for r in queries.records_of(org):
        receipts = list(r.receipts.all())
        award = r.starts_on or r.created_at.date()
        funder = {"id": (r.funder.org_identifier or f"XI-BRIDGEWAY-FUNDER-{r.funder.pk}")
                  if r.funder else f"XI-BRIDGEWAY-INDIVIDUALS-{org.pk}",
                  "name": r.funder.name if r.funder else str(FunderType.INDIVIDUALS.label)}
        grant: dict[str, Any] = {
            "id": r.identifier or f"360G-bridgeway-{org.pk}-{r.pk}", "title": r.title,
            "description": r.purpose or r.title, "currency": r.currency,
            "amountAwarded": float(r.amount_awarded if r.amount_awarded is not None
                                   else sum((x.amount for x in receipts), start=Decimal(0))),
            "awardDate": award.isoformat(),
            "recipientOrganization": [{"id": org_id, "name": org.name}],
            "fundingOrganization": [funder]}
        if r.starts_on or r.ends_on:
            grant["plannedDates"] = [{k: v.isoformat() for k, v in (
                ("startDate", r.starts_on), ("endDate", r.ends_on)) if v}]
        if receipts:
            grant["disbursementTransaction"] = [
                {"id": f"{grant['id']}-{x.year}", "transactionDate": f"{x.year}-12-31",
                 "value": float(x.amount), "currency": r.currency} for x in receipts]
            grant["amountDisbursed"] = float(sum((x.amount for x in receipts), start=Decimal(0)))
        grants.append(grant)
    return {"grants": grants, "version": "1.4"}


def _flatten_xlsx(package: dict) -> bytes:
    from flattentool import flatten

    sweep_temporary()
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as tmp:
        root = Path(tmp)
        (root / "schema.json").write_text(json.dumps(combined_schema()), encoding="utf-8")
        (root / "in.json").write_text(json.dumps(package), encoding="utf-8")
        import warnings

        with warnings.catch_warnings():
            # Fields without a title (the transactions) are left out of the titled sheet.
            warnings.simplefilter("ignore")
            flatten(str(root / "in.json"), schema=str(root / "schema.json"),
                    output_name=str(root / "out.xlsx"), output_format="xlsx",
                    main_sheet_name="grants", root_list_path="grants", use_titles=True)
        from openpyxl import load_workbook

        wb = load_workbook(root / "out.xlsx")
        sheets = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
                  for ws in wb.worksheets]
    return xlsx_bytes(sheets)  # rewritten through the formula-safe writer


def export(*, actor: User, org: Organisation, fmt: str) -> tuple[bytes, str, str]:
    services._as_finance(actor, org)
    if fmt == "json":
        body = json.dumps(grants_package(org), indent=2, ensure_ascii=False).encode()
        out = (body, "application/json", f"funding-{org.pk}-360giving.json")
    elif fmt == "360.xlsx":
        out = (_flatten_xlsx(grants_package(org)),
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               f"funding-{org.pk}-360giving.xlsx")
    elif fmt == "xlsx":
        out = (xlsx_bytes([("ledger", _ledger_table(org))]),
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               f"funding-{org.pk}.xlsx")
    else:
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in _ledger_table(org):
            writer.writerow([safe_cell(v) for v in row])
        out = (buf.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", f"funding-{org.pk}.csv")
    audit_record(action="funding.grants.exported", actor=actor, organisation=org,
                 payload={"format": fmt})
    return out
