"""Uploading XLSForms: real forms load; bad ones are refused naming sheet, row and column, and
nothing is saved."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from bridgeway.surveys import services
from bridgeway.surveys.models import FormVersion, Survey
from bridgeway.surveys.xlsbuild import build_xlsform
from bridgeway.surveys.xlsform import convert_xlsform, questions_summary
from tests.surveys.forms import member_form

HTCDS_LOCAL = Path(__file__).parent / "htcds_xlsform.xlsx"


def refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as exc:
        convert_xlsform(data)
    return " ".join(exc.value.messages)


def test_the_htcds_xlsform_loads():
    converted = convert_xlsform(HTCDS_LOCAL.read_bytes())
    names = [q["name"] for q in questions_summary(converted.spec)]
    assert converted.question_count == len(names) >= 30
    assert converted.spec["choices"]


def test_member_form_serves_its_questions_with_labels_in_both_languages():
    converted = convert_xlsform(member_form())
    spec = converted.spec
    assert spec["languages"] == ["English (en)", "Ukrainian (uk)"]
    assert spec["title"] == "Member survey" and spec["version"] == "2026-1"
    summary = {q["name"]: q for q in questions_summary(spec)}
    assert summary["share"]["labels"]["Ukrainian (uk)"].startswith("Частка")
    assert summary["hours"]["repeat"] == "staff"
    assert summary["restrictions"]["type"] == "select_multiple"
    assert "restrictions_other" in summary  # or_other adds its text question
    city = summary["city"]
    assert city["type"] == "select_one"


@pytest.mark.parametrize(("row", "message"), [
    ({"type": "geopoint", "name": "where", "label": "Where"}, "row 3, column “type”"),
    ({"type": "image", "name": "photo", "label": "Photo"}, "“image”"),
    ({"type": "deviceid", "name": "dev"}, "“deviceid”"),
])
def test_types_that_cannot_be_served_are_refused_naming_row_and_type(row, message):
    data = build_xlsform([{"type": "text", "name": "a", "label": "A"}, row])
    assert message in refused(data)


def test_pyxform_errors_are_put_in_plain_words_with_sheet_row_and_column():
    dup = build_xlsform([{"type": "text", "name": "a", "label": "A"},
                         {"type": "text", "name": "a", "label": "B"}])
    assert "Sheet “survey”, row 3, column “name”" in refused(dup)
    nolist = build_xlsform([{"type": "select_one nope", "name": "a", "label": "A"}],
                           [{"list_name": "yn", "name": "yes", "label": "Yes"}])
    assert "row 2, column “type”: the choice list “nope” is not on the “choices” sheet" in \
        refused(nolist)
    bad_xpath = build_xlsform([{"type": "text", "name": "a", "label": "A",
                                "relevant": "${a} = = 'x'"}])
    assert "row 2, column “relevant”" in refused(bad_xpath)
    unknown_fn = build_xlsform([{"type": "text", "name": "a", "label": "A",
                                 "constraint": "frobnicate(.)"}])
    assert "row 2, column “constraint”" in refused(unknown_fn)
    cycle = build_xlsform([{"type": "calculate", "name": "a", "calculation": "${b} + 1"},
                           {"type": "calculate", "name": "b", "calculation": "${a} + 1"}])
    assert "in a circle" in refused(cycle)


def test_not_a_spreadsheet_formulas_and_zip_bombs_are_refused():
    assert "not an Excel workbook" in refused(b"name,type\nx,text\n")
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label"])
    ws.append(["text", "a", "=HYPERLINK(\"http://x\")"])
    out = io.BytesIO()
    wb.save(out)
    assert "row 2, column “label”: the cell holds a formula" in refused(out.getvalue())
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", "0" * (80 * 1024 * 1024))
    assert "zip bomb" in refused(bomb.getvalue())


def test_a_form_with_too_many_questions_is_refused():
    rows = [{"type": "integer", "name": f"q{i}", "label": f"Q{i}"} for i in range(2001)]
    assert "more than 2000 questions" in refused(build_xlsform(rows))


def test_a_bad_form_leaves_nothing_behind_and_only_coordinators_create(cast):
    before = (Survey.objects.count(), FormVersion.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.survey_create(network=cast.network, actor=cast.coordinator, title="S",
                               xlsform=b"not a workbook")
    assert "xlsform" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.survey_create(network=cast.network, actor=cast.caseworker_a, title="S",
                               xlsform=member_form())
    assert (Survey.objects.count(), FormVersion.objects.count()) == before


def test_a_new_version_keeps_earlier_submissions_on_theirs(cast, survey):
    from tests.surveys.forms import good_answers
    first, _ = services.submission_save(survey=survey, actor=cast.caseworker_a,
                                        organisation=cast.org_a, answers=good_answers(),
                                        submit=True)
    v2 = services.form_upload(survey=survey, actor=cast.coordinator, xlsform=member_form())
    survey.refresh_from_db()
    first.refresh_from_db()
    assert survey.current_version == v2 and v2.number == 2
    assert first.version.number == 1


def test_a_typed_true_stored_as_a_formula_is_accepted():
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "required"])
    ws.append(["text", "a", "A", "=TRUE()"])
    out = io.BytesIO()
    wb.save(out)
    assert convert_xlsform(out.getvalue()).question_count == 1


def test_a_form_pyxform_cannot_describe_is_refused_not_an_error():
    data = build_xlsform([{"type": "osm building", "name": "b", "label": "Building"}],
                         [{"list_name": "building", "name": "x", "label": "X"}])
    assert refused(data)
