"""The submissions as files, for the survey's coordinators: XLSX (the main sheet and one sheet per
repeat, linked by submission id), CSV (the main sheet) and the XForm instances (one XML file per
submission, in a zip). Every cell goes through core's formula-safe helper. Free-text answers are
opened in memory only, a batch of submissions at a time (texts.opened), and go straight into the
file being built."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from lxml import etree

from bridgeway.core.spreadsheets import safe_cell, xlsx_bytes
from bridgeway.surveys.aggregate import lined_up_questions, units_of
from bridgeway.surveys.codes import SubmissionStatus
from bridgeway.surveys.models import FormVersion, Submission, Survey
from bridgeway.surveys.spec import text_in
from bridgeway.surveys.texts import full_answers, opened

BASE_COLUMNS = ["submission_id", "organisation", "country", "status", "form_version",
                "submitted_at"]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return safe_cell(value)


def _submissions(survey: Survey):
    return (Submission.objects.filter(survey=survey, status=SubmissionStatus.SUBMITTED)
            .select_related("organisation", "version")
            .defer("version__xlsform", "version__xform", "version__spec").order_by("pk"))


def sheets(survey: Survey) -> list[tuple[str, list[list]]]:
    questions = [q for q in lined_up_questions(survey) if q["type"] != "note"]
    main = [q["name"] for q in questions if q["repeat"] is None]
    repeats: dict[str, list[str]] = {}
    for q in questions:
        if q["repeat"] is not None:
            repeats.setdefault(q["repeat"], []).append(q["name"])
    main_rows: list[list] = [BASE_COLUMNS + main]
    repeat_rows = {r: [["submission_id", "entry", *cols]] for r, cols in repeats.items()}
    for sub, a in opened(_submissions(survey)):
        main_rows.append([sub.pk, safe_cell(sub.organisation.name), sub.organisation.country,
                          sub.status, sub.version.number,
                          sub.submitted_at.isoformat() if sub.submitted_at else ""]
                         + [_cell(a.get(n)) for n in main])
        for repeat, cols in repeats.items():
            for i, entry in enumerate(units_of(a, repeat), start=1):
                repeat_rows[repeat].append([sub.pk, i] + [_cell(entry.get(c)) for c in cols])
    return [("submissions", main_rows)] + [(name[:31], rows) for name, rows in
                                           repeat_rows.items()]


def instance_xml(submission: Submission, spec: dict[str, Any] | None = None,
                 answers: dict[str, Any] | None = None) -> bytes:
    """The submission as its form's XForm instance (`spec`: its version's, if already read;
    `answers`: its full answers, if already opened)."""
    if spec is None:
        spec = FormVersion.objects.only("spec").get(pk=submission.version_id).spec
    root = etree.Element(spec["root"], id=spec["form_id"])
    if spec.get("version"):
        root.set("version", spec["version"])

    def put(nodes: list[dict[str, Any]], parent: Any, values: dict[str, Any]) -> None:
        for node in nodes:
            if node["kind"] == "group":
                put(node["children"], etree.SubElement(parent, node["name"]), values)
            elif node["kind"] == "repeat":
                for item in values.get(node["name"]) or []:
                    put(node["children"], etree.SubElement(parent, node["name"]),
                        item if isinstance(item, dict) else {})
            else:
                el = etree.SubElement(parent, node["name"])
                value = values.get(node["name"])
                if value not in (None, ""):
                    el.text = " ".join(map(str, value)) if isinstance(value, list) \
                        else str(value)

    put(spec["children"], root, full_answers(submission) if answers is None else answers)
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "instanceID").text = f"bridgeway:{submission.survey_id}:{submission.pk}"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def export_response(survey: Survey, fmt: str) -> HttpResponse:
    name = f"survey-{survey.pk}"
    if fmt == "xlsx":
        body: bytes | str = xlsx_bytes(sheets(survey))
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(sheets(survey)[0][1])
        body, ctype = out.getvalue(), "text/csv; charset=utf-8"
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            specs: dict[int, dict[str, Any]] = {}
            for sub, answers in opened(_submissions(survey)):
                if sub.version_id not in specs:
                    specs[sub.version_id] = FormVersion.objects.only("spec").get(
                        pk=sub.version_id).spec
                zf.writestr(f"{name}/submission-{sub.pk}.xml",
                            instance_xml(sub, specs[sub.version_id], answers))
        body, ctype = buf.getvalue(), "application/zip"
        fmt = "zip"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def readable_answers(spec: dict[str, Any], answers: dict[str, Any],
                     lang: str) -> list[tuple[str, str, int]]:
    """(question, answer in words, depth) for showing one submission."""
    default = spec["default_language"]
    out: list[tuple[str, str, int]] = []

    def words(node: dict[str, Any], value: Any) -> str:
        if node["type"] in ("select_one", "select_multiple"):
            values = [v for v in (value if isinstance(value, list) else [value])
                      if v not in (None, "", "None")]
            labels = {c["name"]: text_in(c["label"], lang, default, c["name"])
                      for c in spec["choices"].get(node["list"], [])}
            return ", ".join(labels.get(str(v), str(v)) for v in values) or str(_("(no answer)"))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        return str(value)

    def walk(nodes: list[dict[str, Any]], values: dict[str, Any], depth: int) -> None:
        for node in nodes:
            label = text_in(node["label"], lang, default, node["name"])
            if node["kind"] == "group":
                walk(node["children"], values, depth)
            elif node["kind"] == "repeat":
                for i, item in enumerate(values.get(node["name"]) or [], start=1):
                    out.append((f"{label} {i}", "", depth))
                    walk(node["children"], item if isinstance(item, dict) else {}, depth + 1)
            elif node["type"] not in ("note", "calculate", "start", "end", "today"):
                value = values.get(node["name"])
                out.append((label, words(node, value) if value not in (None, "", [])
                            else _("(no answer)"), depth))

    walk(spec["children"], answers, 0)
    return out

