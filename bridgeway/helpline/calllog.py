"""A call log from a telephony system or a spreadsheet (CSV or XLSX: date, channel, duration,
topic, outcome), read in memory (it holds no personal data, and a log is small), checked row by
row, then imported all at once or not at all. The same rule as the statistics import: a dry run
answers the report (row, column, problem) and writes nothing; an import with any problem
writes nothing either."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.helpline.codes import Channel, Outcome, topic_labels

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20000
MAX_PROBLEMS = 100
COLUMNS = ["date", "channel", "duration", "topic", "outcome"]
REQUIRED = {"date", "channel", "outcome"}


@dataclass
class Report:
    rows: int = 0
    problems: list[dict] = field(default_factory=list)
    problem_count: int = 0
    created: int = 0
    dry_run: bool = True

    def add(self, row: int, column: str, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"row": row, "column": column, "problem": str(problem)})

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "problems": self.problems,
                "problem_count": self.problem_count, "created": self.created,
                "dry_run": self.dry_run}


class FileProblem(Exception):
    pass


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def _lookup(choices) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in choices:
        table[_norm(str(value))] = str(value)
        table[_norm(str(label))] = str(value)
    return table


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    if len(content) > MAX_BYTES:
        raise FileProblem(_("The file is larger than 2 MB; split it."))
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        return _xlsx(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(_("The file is not UTF-8 text: save it as CSV UTF-8 or XLSX.")) from None
    if "\x00" in text:
        raise FileProblem(_("The file holds NUL bytes: it is not a CSV file."))
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx(content: bytes) -> list[list[str]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise FileProblem(_("This file is not a spreadsheet: upload a CSV or XLSX file.")) \
            from None
    if sum(i.file_size for i in infos) > 50 * MAX_BYTES:
        raise FileProblem(_("The workbook would unpack to far more than its size. Nothing was "
                            "imported."))
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a broken file
        raise FileProblem(_("The workbook cannot be read: save it again as .xlsx.")) from None
    rows = []
    try:
        for row in wb.worksheets[0].iter_rows():
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise FileProblem(_("A cell holds a formula; only values can be imported."))
                value = cell.value
                if isinstance(value, datetime):
                    value = value.strftime("%Y-%m-%d %H:%M")
                elif isinstance(value, date):
                    value = value.isoformat()
                elif isinstance(value, float) and value.is_integer():
                    value = int(value)
                cells.append("" if value is None else str(value))
            rows.append(cells)
    finally:
        wb.close()
    return rows


def _when(raw: str) -> datetime:
    raw = raw.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return timezone.make_aware(datetime.strptime(raw, fmt))
        except ValueError:
            continue
    day = date.fromisoformat(raw)  # ValueError names nothing: the caller says which cell
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def parse(rows: list[list[str]], report: Report) -> list[dict[str, Any]]:
    """Checked values per row (report.problems say what is wrong, by row and column)."""
    if not rows:
        report.add(1, "", _("The file is empty."))
        return []
    header = [_norm(h) for h in rows[0]]
    missing = REQUIRED - set(header)
    if missing:
        report.add(1, ", ".join(sorted(missing)),
                   _("These columns are missing: %(cols)s. The first row names the columns: "
                     "date, channel, duration, topic, outcome.") % {"cols": ", ".join(
                       sorted(missing))})
        return []
    if len(rows) - 1 > MAX_ROWS:
        report.add(1, "", _("More than %(n)s rows: split the file.") % {"n": MAX_ROWS})
        return []
    at = {name: header.index(name) for name in COLUMNS if name in header}
    channels, outcomes = _lookup(Channel.choices), _lookup(Outcome.choices)
    topics = _lookup(topic_labels().items())
    now = timezone.now()
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        report.rows += 1

        def cell(name: str, cells: list[str] = cells) -> str:
            i = at.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        before = report.problem_count
        values: dict[str, Any] = {}
        try:
            values["started_at"] = _when(cell("date"))
            if values["started_at"] > now:
                report.add(number, "date", _("The date is in the future."))
        except ValueError:
            report.add(number, "date", _("Write the date as 2026-03-01 or 2026-03-01 14:30."))
        for name, table in (("channel", channels), ("outcome", outcomes)):
            code = table.get(_norm(cell(name)))
            if code is None:
                report.add(number, name, _("Unknown value “%(v)s”.") % {"v": cell(name)[:40]})
            values[name] = code
        duration = cell("duration")
        values["duration_minutes"] = None
        if duration:
            try:
                minutes = int(float(duration.replace(",", ".")))
                if not 0 <= minutes <= 1440:
                    raise ValueError
                values["duration_minutes"] = minutes
            except ValueError:
                report.add(number, "duration", _("Write the duration in minutes, 0 to 1440."))
        found = []
        for part in [p for p in cell("topic").replace(",", ";").split(";") if p.strip()]:
            code = topics.get(_norm(part))
            if code is None:
                report.add(number, "topic", _("Unknown value “%(v)s”.") % {"v": part[:40]})
            else:
                found.append(code)
        values["topics"] = list(dict.fromkeys(found))
        if report.problem_count == before:
            out.append(values)
    if not report.rows:
        report.add(2, "", _("The file has no rows under the header."))
    return out
