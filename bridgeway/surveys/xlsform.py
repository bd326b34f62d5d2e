"""Reading an uploaded XLSForm: the checks before pyxform sees it (a real spreadsheet, no zip bomb,
no formulas, not too many questions, only types that can be served on the web), the conversion by
pyxform with its errors put into plain words naming sheet, row and column, and the checks after
(every expression runs, no calculation depends on itself, names unique across groups)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bridgeway.surveys.engine import Engine, FormExpressionError
from bridgeway.surveys.spec import build_spec, iter_questions

MAX_UPLOAD = 5 * 1024 * 1024
MAX_UNZIPPED = 60 * 1024 * 1024
MAX_RATIO = 200
MAX_QUESTIONS = 2000
# Spreadsheet programs store a typed TRUE as this formula; it computes nothing.
BOOLEAN_FORMULAS = {"=TRUE()", "=FALSE()"}

# Types a browser form cannot collect here; refused at upload with the row.
UNSUPPORTED = {
    "geopoint": _("a location from the device's GPS"),
    "geotrace": _("a line drawn on a map"),
    "geoshape": _("an area drawn on a map"),
    "start-geopoint": _("the device's location at the start"),
    "background-geopoint": _("the device's location in the background"),
    "image": _("a photo or image file"), "audio": _("an audio recording"),
    "background-audio": _("an audio recording"), "video": _("a video"),
    "file": _("a file upload"), "barcode": _("a barcode scan"),
    "deviceid": _("the device's identifier"), "subscriberid": _("the SIM's subscriber id"),
    "simserial": _("the SIM's serial number"), "phonenumber": _("the device's phone number"),
    "username": _("the device's user name"), "email": _("the device's e-mail account"),
    "audit": _("an audit log of the device"), "xml-external": _("an external XML file"),
    "csv-external": _("an external CSV file"),
    "select_one_from_file": _("choices from an external file"),
    "select_multiple_from_file": _("choices from an external file"),
    "rank": _("ranking"), "signature": _("a signature"),
    "osm": _("an OpenStreetMap upload"), "background-video": _("a video recording"),
}
EXPRESSION_COLUMNS = {"relevant": "relevant", "required": "required",
                      "constraint": "constraint", "calculate": "calculation",
                      "choice_filter": "choice_filter", "repeat_count": "repeat_count"}


@dataclass
class Converted:
    title: str
    form_id: str
    version: str
    xform: str
    spec: dict[str, Any]
    question_count: int
    warnings: list[str]


def _where(sheet: str, row: int | None = None, column: str | None = None) -> str:
    parts = [_("sheet “%(sheet)s”") % {"sheet": sheet}]
    if row:
        parts.append(_("row %(row)d") % {"row": row})
    if column:
        parts.append(_("column “%(column)s”") % {"column": column})
    return ", ".join(parts)


def refuse(message: str, *, sheet: str = "survey", row: int | None = None,
           column: str | None = None) -> ValidationError:
    return ValidationError(_("%(where)s: %(message)s") % {
        "where": _where(sheet, row, column).capitalize(), "message": message},
        code="xlsform", params={"sheet": sheet, "row": row, "column": column})


def _check_zip(data: bytes) -> None:
    if len(data) > MAX_UPLOAD:
        raise ValidationError(_("The file is larger than %(mb)d MB: an XLSForm is much smaller.")
                              % {"mb": MAX_UPLOAD // (1024 * 1024)}, code="too_large")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(_("This file is not an Excel workbook (.xlsx). Save the XLSForm "
                                "as .xlsx and upload it again."), code="not_xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            raise ValidationError(_("This file is not an Excel workbook (.xlsx). Save the "
                                    "XLSForm as .xlsx and upload it again."), code="not_xlsx")
        total = 0
        for info in zf.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_UNZIPPED or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
                raise ValidationError(_("The workbook unpacks to far more data than an XLSForm "
                                        "holds (a “zip bomb”); it was not opened."),
                                      code="zip_bomb")


def _read_rows(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Every sheet as rows of {header: value} with the sheet's row number; refuses formulas."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ValidationError(_("The workbook could not be read; it may be damaged. Open it in "
                                "a spreadsheet program, save it as .xlsx and try again."),
                              code="not_xlsx") from None
    sheets: dict[str, list[dict[str, Any]]] = {}
    try:
        for ws in wb.worksheets:
            rows: list[dict[str, Any]] = []
            headers: list[str] = []
            for r, row in enumerate(ws.iter_rows(), start=1):
                values = []
                for c, cell in enumerate(row, start=1):
                    if getattr(cell, "data_type", None) == "f" and str(
                            cell.value).replace(" ", "").upper() not in BOOLEAN_FORMULAS:
                        raise refuse(_("the cell holds a formula; an XLSForm takes plain values "
                                       "only (copy and paste the values)."), sheet=ws.title,
                                     row=r, column=headers[c - 1] if c <= len(headers) else None)
                    values.append(cell.value)
                if r == 1:
                    headers = [str(v).strip() if v is not None else "" for v in values]
                    continue
                if all(v is None or str(v).strip() == "" for v in values):
                    continue
                rows.append({"_row": r, **{h: v for h, v in zip(headers, values, strict=False)
                                           if h}})
                if len(rows) > MAX_QUESTIONS * 3:
                    break
            sheets[ws.title.strip().lower()] = rows
    finally:
        wb.close()
    return sheets


def _survey_rows(sheets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    rows = sheets.get("survey")
    if rows is None:
        raise ValidationError(_("The workbook has no sheet called “survey”: every XLSForm needs "
                                "one, with the questions."), code="xlsform")
    return rows


def _check_rows(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Types that cannot be served, the number of questions; returns name -> row."""
    count = 0
    names: dict[str, int] = {}
    for row in rows:
        raw = str(row.get("type") or "").strip()
        if not raw:
            continue
        base = raw.split()[0].lower()
        if base in UNSUPPORTED:
            raise refuse(_("the type “%(type)s” (%(what)s) cannot be answered in a web form "
                           "here; remove the row or use another type.")
                         % {"type": raw, "what": UNSUPPORTED[base]}, row=row["_row"],
                         column="type")
        name = str(row.get("name") or "").strip()
        if name and base not in ("end", "end_group", "end_repeat", "end group", "end repeat"):
            if name in names and base not in ("begin_group", "begin group", "begin_repeat",
                                              "begin repeat"):
                raise refuse(_("the name “%(name)s” is already used on row %(other)d; give "
                               "every question its own name.")
                             % {"name": name, "other": names[name]}, row=row["_row"],
                             column="name")
            names.setdefault(name, row["_row"])
        if not base.startswith(("begin", "end")):
            count += 1
        if count > MAX_QUESTIONS:
            raise ValidationError(_("The form has more than %(n)d questions; split it into "
                                    "several surveys.") % {"n": MAX_QUESTIONS},
                                  code="too_many")
    return names


_ROW = re.compile(r"\[row : (\d+)\]\s*")
_SHEET = re.compile(r"'(survey|choices|settings|entities|external_choices)' sheet", re.I)
_COLUMN = re.compile(r"the '([\w:() -]+)' (?:value|column)")


def _translate(message: str, rows: list[dict[str, Any]]) -> ValidationError:
    """pyxform's error in the person's words, naming sheet, row and column where it can."""
    row_match = _ROW.search(message)
    row = int(row_match.group(1)) if row_match else None
    text = _ROW.sub("", message).strip()
    sheet_match = _SHEET.search(text)
    sheet = sheet_match.group(1).lower() if sheet_match else "survey"
    col_match = _COLUMN.search(text)
    column = col_match.group(1) if col_match else None
    unknown = re.search(r"Unknown question type '([^']*)'", text)
    if unknown:
        for r in rows:
            if str(r.get("type") or "").strip() == unknown.group(1):
                row = r["_row"]
                break
        return refuse(_("the type “%(type)s” is not an XLSForm question type.")
                      % {"type": unknown.group(1)}, row=row, column="type")
    nolist = re.search(r"List name not in choices sheet: (\S+)", text)
    if nolist:
        return refuse(_("the choice list “%(list)s” is not on the “choices” sheet.")
                      % {"list": nolist.group(1)}, row=row, column="type")
    if "There should be a choices sheet" in text:
        return refuse(_("the form uses choice lists but has no “choices” sheet with the "
                        "columns list_name, name and label."), sheet="choices")
    if "no name" in text.lower():
        return refuse(_("the question has no name."), row=row, column="name")
    if "Unmatched" in text:
        column = "type"
    return refuse(text, sheet=sheet, row=row, column=column)


def _check_expressions(spec: dict[str, Any], rows: list[dict[str, Any]],
                       names: dict[str, int]) -> None:
    """Every expression is run once on an empty form: a bad XPath or an unknown function is
    refused now, naming the question's row and column, not found by a member filling it in."""
    engine = Engine(spec)
    root, _entries, instances = engine._build({})
    engine._local.instances = instances

    def visit(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            for key, column in EXPRESSION_COLUMNS.items():
                expr = node.get(key)
                if not expr:
                    continue
                try:
                    if key == "choice_filter":
                        engine._allowed(node, root)
                    else:
                        engine.evaluate(expr, root)
                except FormExpressionError as exc:
                    what = (_("it uses a function that is not available here")
                            if "Unregistered function" in str(exc)
                            else _("check brackets, quotes and operators"))
                    raise refuse(_("the expression cannot be evaluated (%(what)s): %(expr)s")
                                 % {"what": what, "expr": expr.strip()},
                                 row=names.get(node["name"]), column=column) from None
            if node["kind"] != "question":
                visit(node["children"])

    visit(spec["children"])


def _check_cycles(rows: list[dict[str, Any]]) -> None:
    deps: dict[str, set[str]] = {}
    where: dict[str, int] = {}
    for row in rows:
        calc = str(row.get("calculation") or row.get("calculate") or "")
        name = str(row.get("name") or "").strip()
        if name and calc:
            deps[name] = set(re.findall(r"\$\{([^}]+)\}", calc))
            where[name] = row["_row"]
    state: dict[str, int] = {}

    def dfs(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in deps.get(name, ()):
            if state.get(dep) == 1:
                cycle = trail[trail.index(dep):] + [dep] if dep in trail else [name, dep]
                raise refuse(_("the calculations depend on each other in a circle: %(cycle)s.")
                             % {"cycle": " → ".join(cycle)}, row=where.get(name),
                             column="calculation")
            if state.get(dep) is None and dep in deps:
                dfs(dep, [*trail, dep])
        state[name] = 2

    for name in deps:
        if state.get(name) is None:
            dfs(name, [name])


def convert_xlsform(data: bytes) -> Converted:
    """The checks and the conversion; a ValidationError names the sheet, row and column."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    _check_zip(data)
    sheets = _read_rows(data)
    rows = _survey_rows(sheets)
    names = _check_rows(rows)
    _check_cycles(rows)
    warnings: list[str] = []
    try:
        result = convert(xlsform=data, file_type=".xlsx", warnings=warnings)
    except PyXFormError as exc:
        raise _translate(str(exc), rows) from None
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ValidationError(_("The form could not be converted (%(error)s). Check it with "
                                "the XLSForm rules at xlsform.org.")
                              % {"error": type(exc).__name__}, code="xlsform") from None
    survey = result._survey
    if survey is None:  # pragma: no cover - pyxform always returns it from convert
        raise ValidationError(_("The form could not be converted."), code="xlsform")
    try:
        spec = build_spec(survey.to_json_dict(), result.xform)
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ValidationError(_("The form could not be converted (%(error)s). Check it with "
                                "the XLSForm rules at xlsform.org.")
                              % {"error": type(exc).__name__}, code="xlsform") from None
    _check_expressions(spec, rows, names)
    questions = [n for n, _r in iter_questions(spec["children"])]
    return Converted(title=spec["title"], form_id=spec["form_id"], version=spec["version"],
                     xform=result.xform, spec=spec, question_count=len(questions),
                     warnings=warnings)


def questions_summary(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions a form will serve: name, type, labels per language (the API's answer)."""
    return [{"name": n["name"], "type": n["type"], "labels": n["label"],
             "repeat": repeat} for n, repeat in iter_questions(spec["children"])]
