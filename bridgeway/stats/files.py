"""Reading an uploaded table safely: CSV in UTF-8 (with or without BOM) or XLSX, checked before
any parser sees it. Every refusal names the row and column it is about, and never quotes a
cell's content (it may hold a name)."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

csv.field_size_limit(1 << 20)

DELIMITERS = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), "|": _("vertical bar")}
# An XLSX is a zip of XML: refuse one whose parts would unpack to more than this, or that
# compresses better than any real sheet does (a zip bomb).
XLSX_MAX_UNPACKED = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200


@dataclass
class FileProblem(Exception):
    row: int
    column: str
    problem: str


def open_bytes(source):
    """A binary file object over `source`: a path, or an object whose `open_bytes()` gives one
    (the sealed upload of an import job, decrypted as it is read: no clear copy on disk)."""
    if hasattr(source, "open_bytes"):
        return source.open_bytes()
    return open(source, "rb")  # noqa: SIM115 (the caller closes it)


def sniff_type(path: Path) -> str:
    with open_bytes(path) as fh:
        head = fh.read(8192)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(1, "", _("The file is in UTF-16. Save it as CSV in UTF-8 and upload it "
                                   "again."))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(0, "", _("This is an old Excel (.xls) file. Save it as .xlsx or CSV "
                                   "(UTF-8) and upload it again."))
    if b"\x00" in head or head.startswith(b"%PDF"):
        raise FileProblem(0, "", _("This file is not a spreadsheet: upload a CSV or XLSX file."))
    return "csv"


def check_encoding_start(path: Path) -> None:
    with open_bytes(path) as fh:
        head = fh.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(0, "", _("The file is in UTF-16. Save it as CSV in UTF-8 and upload it "
                                   "again."))


def _not_utf8(row: int) -> FileProblem:
    return FileProblem(row, "", _("The file is not in UTF-8 (from this row on). Save it as CSV "
                                  "in UTF-8 and upload it again."))


def first_bad_line(path: Path) -> int:
    """The line holding the first byte that is not UTF-8 (the text reader only says that some
    buffer failed)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line = 1
    with open_bytes(path) as fh:
        for raw in fh:
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return line
            line += 1
    return line


def _header_line(path: Path) -> str:
    with open_bytes(path) as fh:
        raw = fh.readline(1 << 20)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(1) from None


def choose_delimiter(path: Path, *, expected: list[str], known: set[str], norm) -> str:
    """The delimiter that splits the header into known column names; a clear message when the
    file uses another one than the format allows."""
    line = _header_line(path)
    best, best_hits = "", 0
    for delim in DELIMITERS:
        hits = sum(1 for name in line.rstrip("\r\n").split(delim) if norm(name) in known)
        if hits > best_hits:
            best, best_hits = delim, hits
    if best and best not in expected:
        raise FileProblem(1, "", _("The file is separated by %(found)s, but this format uses "
                                   "%(expected)s.") % {"found": DELIMITERS[best],
                                                       "expected": DELIMITERS[expected[0]]})
    return best or expected[0]


class _Lines:
    """The file's lines for csv.reader, which takes only the lines a quoted row needs: a line
    handed back (`first`) comes before the rest."""

    def __init__(self, lines) -> None:
        self.lines, self.first = lines, None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.first is not None:
            line, self.first = self.first, None
            return line
        return next(self.lines)


_FIELD_LIMIT = csv.field_size_limit()


def csv_rows(path: Path, delimiter: str) -> Iterator[list[str]]:
    """Rows as lists of strings; a byte that is not UTF-8 stops with the row it is on.

    A line without a quote character is split on the delimiter, which is what csv.reader does
    with it, at a third less cost (a million-row import, issue 6); a line with a quote (a
    quoted cell, maybe over several lines) goes to csv.reader."""
    import io

    with io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", errors="strict",
                          newline="") as fh:
        lines = iter(fh)
        source = _Lines(lines)  # the same lines, for csv.reader
        reader = csv.reader(source, delimiter=delimiter)
        row = 0
        try:
            for line in lines:
                row += 1
                if '"' in line or "\0" in line or len(line) > _FIELD_LIMIT:
                    source.first = line
                    yield next(reader)
                else:
                    text = line.rstrip("\r\n")
                    yield text.split(delimiter) if text else []
        except UnicodeDecodeError:
            raise _not_utf8(first_bad_line(path)) from None
        except (csv.Error, StopIteration):
            raise FileProblem(row, "", _("This row is not valid CSV (a quote is not "
                                         "closed, or a cell is too long).")) from None


def count_lines(path: Path) -> int:
    lines = 0
    with open_bytes(path) as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


def check_xlsx(path: Path) -> None:
    try:
        with open_bytes(path) as fh, zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise FileProblem(0, "", _("This file is not a spreadsheet: upload a CSV or XLSX "
                                   "file.")) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise FileProblem(0, "", _("This zip file is not an XLSX workbook."))
    if "xl/vbaProject.bin" in names:
        raise FileProblem(0, "", _("The workbook contains macros; save it as a plain .xlsx."))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > XLSX_MAX_UNPACKED or (info.file_size > 1024 * 1024 and ratio > XLSX_MAX_RATIO):
            raise FileProblem(0, "", _("The workbook would unpack to far more than its size "
                                       "(a zip bomb?). Nothing was imported."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def xlsx_rows(path: Path) -> Iterator[list[str]]:
    """The first sheet's rows. A formula is refused (a cell of data should hold data)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    check_xlsx(path)
    # A file object, not the path: openpyxl judges a path by its extension.
    fh = open_bytes(path)
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a broken file
        fh.close()
        raise FileProblem(0, "", _("The workbook cannot be read: save it again as .xlsx.")) from None
    try:
        ws = wb.worksheets[0]
        width = 0
        for index, row in enumerate(ws.iter_rows(), start=1):
            cells = []
            for col, cell in enumerate(row, start=1):
                if getattr(cell, "data_type", None) == "f":
                    raise FileProblem(index, get_column_letter(col),
                                      _("This cell holds a formula; only values can be "
                                        "imported."))
                cells.append(_cell_text(cell.value))
            # Sheets store no trailing empty cells: rows are as wide as the header.
            while len(cells) > width and cells and cells[-1] == "":
                cells.pop()
            if index == 1:
                width = len(cells)
            elif len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield cells
    finally:
        wb.close()
        fh.close()


def xlsx_row_count(path: Path) -> int:
    import openpyxl

    with open_bytes(path) as fh:
        wb = openpyxl.load_workbook(fh, read_only=True)
        try:
            return wb.worksheets[0].max_row or 0
        finally:
            wb.close()


def max_bytes() -> int:
    return settings.BRIDGEWAY_IMPORT_MAX_BYTES
