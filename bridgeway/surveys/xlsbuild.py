"""Writes an XLSForm workbook from a Python structure: the demo survey, the tests and the
benchmark describe their forms as lists of rows and get back the .xlsx bytes a coordinator
would upload."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook


def _sheet(wb: Workbook, title: str, rows: Sequence[Mapping[str, object]]) -> None:
    ws = wb.create_sheet(title)
    headers: list[str] = []
    for row in rows:
        for key in row:
            if key not in headers:
                headers.append(key)
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])


def build_xlsform(survey: Sequence[Mapping[str, object]],
                  choices: Sequence[Mapping[str, object]] = (),
                  settings: Mapping[str, object] | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", survey)
    if choices:
        _sheet(wb, "choices", choices)
    if settings:
        _sheet(wb, "settings", [settings])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
