"""Exports: HTCDS (an organisation's own cases; personal fields only for a supervisor who asked
for them after re-authenticating, audited and in the access log) and CTDC (de-identified
records of the store). Every cell is made safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bridgeway.core.spreadsheets import safe_cell, xlsx_bytes
from bridgeway.protection import access
from bridgeway.protection.audit import audit_record
from bridgeway.stats import codes
from bridgeway.stats.models import StatRecord
from bridgeway.stats.queries import may_export_personal

FORMATS = ("htcds_csv", "htcds_xlsx", "ctdc_csv", "ctdc_xlsx")


def _csv(rows: list[list], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(rows: list[list], title: str) -> bytes:
    return xlsx_bytes([(title, rows)])


def _join(values) -> str:
    return " ".join(values or [])  # XLSForm's select_multiple spelling


Progress = Callable[[int], None] | None
PROGRESS_EVERY = 1000


def htcds_rows(org, *, personal: dict | None = None, progress: Progress = None) -> list[list]:
    from bridgeway.cases.queries import coded_case_rows

    header = list(codes.HTCDS_EXPORT_COLUMNS)
    if personal is not None:
        header += codes.HTCDS_PERSONAL_COLUMNS
    rows: list[list] = [header]
    for case in coded_case_rows(org):
        row = [case["status"], case["opened_on"].year, case["gender"], case["citizenship"],
               "" if case["age_at_intake"] is None else case["age_at_intake"],
               case["trafficking_status"], _join(case["recruitment_methods"]),
               case["recruitment_country"], _join(case["control_methods"]),
               _join(case["exploitation_types"]), case["forced_labour_industry"],
               case["exploitation_country"], case["relationship_to_trafficker"]]
        if personal is not None:
            p = personal.get(case["pk"], {})
            row += [p.get("first_name", ""), p.get("second_name", ""), p.get("birth_date", ""),
                    p.get("email", ""), p.get("phone", "")]
        rows.append(row)
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows) - 1)
    return rows


def ctdc_rows(org, dataset=None, *, progress: Progress = None) -> list[list]:
    rows: list[list] = [["", *codes.CTDC_NAMES]]
    records = StatRecord.objects.filter(organisation=org).order_by("pk")
    if dataset is not None:
        records = records.filter(dataset=dataset)
    groups = codes.FLAG_GROUPS
    for n, r in enumerate(records.iterator(chunk_size=5000), start=1):
        unreported = set(r.unreported)
        values = {
            "yearOfRegistration": r.year_of_registration or "",
            "Datasource": codes.DATASOURCE_OUT.get(r.datasource, ""),
            "gender": codes.CTDC_GENDER_OUT.get(r.gender, ""),
            "ageBroad": codes.ctdc_age_text(r.age_band),
            "majorityStatus": r.majority_status, "majorityStatusAtExploit": r.majority_at_exploit,
            "majorityEntry": r.majority_entry, "citizenship": r.citizenship,
            "CountryOfExploitation": r.country_of_exploitation,
            "isAbduction": "" if r.is_abduction is None else int(r.is_abduction),
        }
        exploitation = set(r.exploitation)
        # HTCDS types CTDC has no flag for count as other exploitation.
        if exploitation - set(codes.EXPLOITATION):
            exploitation.add("OtherExploit")
        if "ForcedBegging" in exploitation:
            labour = {*r.labour_types, "Begging"}
        else:
            labour = set(r.labour_types)
        chosen = {"means_of_control": set(r.means_of_control), "exploitation": exploitation,
                  "labour_types": labour, "sex_types": set(r.sex_types),
                  "recruiter_relations": set(r.recruiter_relations)}
        for field, (prefix, words) in groups.items():
            present = [w for w in words if w in chosen[field]]
            for word in words:
                column = prefix + word
                if column in codes.CTDC_NAMES:
                    values[column] = "" if column in unreported else int(word in chosen[field])
            concatenated = "; ".join(words[w] for w in present)
            name = {"means_of_control": "meansOfControlConcatenated",
                    "exploitation": "typeOfExploitConcatenated",
                    "labour_types": "typeOfLabourConcatenated",
                    "sex_types": "typeOfSexConcatenated",
                    "recruiter_relations": "RecruiterRelationship"}[field]
            values[name] = concatenated
        rows.append([n, *(values.get(c, "") for c in codes.CTDC_NAMES)])
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    return rows


def row_count(org, fmt: str) -> int:
    """How many rows an export would hold, read cheaply (counted cases; the datasets' recorded
    sizes): it decides whether the export is built inside the request."""
    from django.db.models import Sum

    from bridgeway.cases.queries import case_count
    from bridgeway.stats.models import Dataset

    if fmt.startswith("htcds"):
        return 0 if org.is_network else case_count(org)
    return Dataset.objects.filter(organisation=org).aggregate(n=Sum("rows"))["n"] or 0


def check_export(*, user, org, fmt: str, personal: bool) -> None:
    """What an export asks of the person, checked before it is built, when it is queued, and
    again when the file is built and downloaded."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if fmt.startswith("htcds"):
        if org.is_network:
            raise PermissionDenied(_("A network holds no cases of its own."))
        if personal and not may_export_personal(user, org):
            raise PermissionDenied(_("Only supervisors can export personal data."))


def file_meta(org, fmt: str) -> tuple[str, str]:
    """The content type and file name of an export."""
    family, ext = fmt.split("_")
    if ext == "csv":
        return "text/csv; charset=utf-8", f"{family}-{org.pk}.{ext}"
    return ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{family}-{org.pk}.{ext}")


def export_file(*, user, org, fmt: str, personal: bool = False, dataset=None,
                screen: str, progress: Progress = None) -> tuple[bytes, str, str]:
    """Builds the file; returns (content, content type, file name). Personal data needs the
    supervisor role (the caller has checked re-authentication)."""
    check_export(user=user, org=org, fmt=fmt, personal=personal)
    family, ext = fmt.split("_")
    personal_fields = None
    if family == "htcds":
        if personal:
            from bridgeway.cases.queries import personal_case_fields

            personal_fields = personal_case_fields(org)
        rows = htcds_rows(org, personal=personal_fields, progress=progress)
    else:
        rows = ctdc_rows(org, dataset, progress=progress)
    if personal_fields is not None:
        audit_record(action="stats.export.personal", actor=user, organisation=org,
                     payload={"format": fmt, "cases": len(rows) - 1})
        access.note_download(user, [p["subject"] for p in personal_fields.values()],
                             via="export", screen=screen)
    else:
        audit_record(action="stats.export.created", actor=user, organisation=org,
                     payload={"format": fmt, "rows": len(rows) - 1})
    if ext == "csv":
        content = _csv(rows, ";" if family == "ctdc" else ",")
    else:
        content = _xlsx(rows, family.upper())
    if progress is not None:
        progress(len(rows) - 1)
    ctype, filename = file_meta(org, fmt)
    return content, ctype, filename
