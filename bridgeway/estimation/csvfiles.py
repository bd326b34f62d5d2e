"""Reading the estimation tools' CSV files: UTF-8 (with or without BOM), checked before the parser
sees them, every refusal naming the line and column and never quoting a cell (it may hold a name).
Runs without Django configured (the standalone encoder uses it)."""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bridgeway.core.spreadsheets import FORMULA_START
from bridgeway.estimation._text import _

__all__ = ["FORMULA_START", "CsvError", "decode", "read_rows", "write_atomically"]


@dataclass
class CsvError(ValueError):
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        where = []
        if self.line:
            where.append(_("line %(line)d") % {"line": self.line})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return (", ".join(where) + ": " if where else "") + self.problem


def _first_bad_line(raw: bytes) -> int:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError:
            return number
    return 0


def decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvError(1, "", _("The file is in UTF-16. Save it as CSV in UTF-8."))
    if b"\x00" in raw:
        raise CsvError(0, "", _("This is not a CSV text file."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError(_first_bad_line(raw), "", _("The file is not in UTF-8 (from this line on). "
                                                   "Save it as CSV in UTF-8.")) from None


def read_rows(source, *, comments: bool = False) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """(header, [(line, cells)], comment lines) from a path, bytes or a binary file. Header
    names and cells are stripped of surrounding white space (FEBRL writes ", name"); with
    `comments`, leading lines starting with # are returned apart."""
    if isinstance(source, bytes | bytearray):
        raw = bytes(source)
    elif hasattr(source, "read"):
        raw = source.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise CsvError(0, "", _("The file cannot be read: %(error)s") % {"error": exc.strerror}) from None
    text = decode(raw)
    lines = text.splitlines(keepends=True)
    notes, start = [], 0
    if comments:
        while start < len(lines) and lines[start].startswith("#"):
            notes.append(lines[start].rstrip("\r\n"))
            start += 1
    reader = csv.reader(io.StringIO("".join(lines[start:]), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise CsvError(start + 1, "", _("The file is empty: it needs a header line.")) from None
    except csv.Error:
        raise CsvError(start + 1, "", _("The header line is not valid CSV.")) from None
    rows = []
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            rows.append((reader.line_num + start, [c.strip() for c in cells]))
    except csv.Error:
        raise CsvError(reader.line_num + start, "", _("This line is not valid CSV (a quote is not "
                                                      "closed?).")) from None
    return header, rows, notes


def write_atomically(path: str | Path, text: str) -> None:
    """The whole file or nothing: written next to its target, then renamed over it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
