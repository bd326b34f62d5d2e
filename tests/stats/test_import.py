import io
import zipfile

import openpyxl
import pytest
from django.test import override_settings

from bridgeway.stats.models import Dataset, ImportJob, StatRecord
from tests.stats.helpers import HEADER, ctdc_csv, ctdc_row, upload


def _problems(response):
    job = response.context["job"]
    return job, job.report.get("problems", [])


def test_ctdc_import_stores_de_identified_records(cast, as_user):
    client = as_user(cast.supervisor_a)
    content = ctdc_csv([ctdc_row(1), ctdc_row(2, gender="Male", ageBroad="9--17",
                                             majorityStatus="Minor", isForcedLabour="1",
                                             isSexualExploit="0", meansOfControlDebtBondage="",
                                             isAbduction="1")])
    response = upload(client, cast.org_a, content)
    job, problems = _problems(response)
    assert problems == [] and job.status == ImportJob.Status.DONE
    records = list(StatRecord.objects.filter(organisation=cast.org_a).order_by("pk"))
    assert len(records) == 2
    first, second = records
    assert first.year_of_registration == 2019 and first.gender == "Female"
    assert first.age_band == "18-20" and first.is_child is False
    assert first.citizenship == "MD" and first.country_of_exploitation == "RO"
    assert first.exploitation == ["SexualExploit"] and first.means_of_control == ["DebtBondage"]
    assert "meansOfControlTakesEarnings" in first.unreported
    assert second.is_child is True and second.gender == "Male" and second.is_abduction is True
    assert "meansOfControlDebtBondage" in second.unreported
    assert b"records" not in response.content or response.status_code == 200


def test_reimport_of_the_same_file_adds_nothing(cast, as_user):
    client = as_user(cast.supervisor_a)
    content = ctdc_csv([ctdc_row(1), ctdc_row(2)])
    upload(client, cast.org_a, content)
    response = upload(client, cast.org_a, content)
    job = response.context["job"]
    assert job.status == ImportJob.Status.DUPLICATE
    assert "nothing was added" in response.content.decode()
    assert StatRecord.objects.count() == 2 and Dataset.objects.count() == 1


def test_dry_run_imports_nothing(cast, as_user):
    response = upload(as_user(cast.supervisor_a), cast.org_a, ctdc_csv([ctdc_row(1)]),
                      dry_run=True)
    job, problems = _problems(response)
    assert job.status == ImportJob.Status.DONE and problems == []
    assert job.report["rows"] == 1
    assert StatRecord.objects.count() == 0 and Dataset.objects.count() == 0


def _bad(client, org, content, **kw):
    response = upload(client, org, content, **kw)
    assert StatRecord.objects.count() == 0
    assert Dataset.objects.count() == 0
    return response


@pytest.mark.parametrize("dry_run", [True, False])
def test_unknown_column_and_code_and_year_named_by_row_and_column(cast, as_user, dry_run):
    header = [*HEADER, "victimName"]
    rows = [[*ctdc_row(1), ""], [*ctdc_row(2, gender="Robot"), ""],
            [*ctdc_row(3, yearOfRegistration="20x9"), ""]]
    response = _bad(as_user(cast.supervisor_a), cast.org_a, ctdc_csv(rows, header=header),
                    dry_run=dry_run)
    job, problems = _problems(response)
    assert job.status == ImportJob.Status.FAILED
    assert {"row": 1, "column": "victimName"} == {k: problems[0][k] for k in ("row", "column")}
    html = response.content.decode()
    assert "victimName" in html and "Nothing was imported" in html


@pytest.mark.parametrize("dry_run", [True, False])
def test_unknown_code_and_bad_year(cast, as_user, dry_run):
    rows = [ctdc_row(1), ctdc_row(2, gender="Robot"), ctdc_row(3, yearOfRegistration="20x9"),
            ctdc_row(4, citizenship="ZZ"), ctdc_row(5, isForcedLabour="yes")]
    response = _bad(as_user(cast.supervisor_a), cast.org_a, ctdc_csv(rows), dry_run=dry_run)
    _job, problems = _problems(response)
    found = {(p["row"], p["column"]) for p in problems}
    assert found == {(3, "gender"), (4, "yearOfRegistration"), (5, "citizenship"),
                     (6, "isForcedLabour")}


def test_wrong_delimiter(cast, as_user):
    response = _bad(as_user(cast.supervisor_a), cast.org_a,
                    ctdc_csv([ctdc_row(1)], delimiter=","))
    _job, problems = _problems(response)
    assert problems[0]["row"] == 1 and "comma" in problems[0]["problem"]


def test_wrong_encoding(cast, as_user):
    content = ctdc_csv([ctdc_row(1), ctdc_row(2)]).replace(b"Case Management",
                                                            "Cäse".encode("latin-1"), 2)
    response = _bad(as_user(cast.supervisor_a), cast.org_a, content)
    _job, problems = _problems(response)
    assert "UTF-8" in problems[0]["problem"] and problems[0]["row"] >= 2


def test_utf16_refused(cast, as_user):
    content = ctdc_csv([ctdc_row(1)]).decode().encode("utf-16")
    response = _bad(as_user(cast.supervisor_a), cast.org_a, content)
    assert "UTF-16" in _problems(response)[1][0]["problem"]


def test_not_a_spreadsheet(cast, as_user):
    response = _bad(as_user(cast.supervisor_a), cast.org_a, b"%PDF-1.7\n\x00\x01binary",
                    name="x.pdf")
    assert "not a spreadsheet" in _problems(response)[1][0]["problem"]


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_ctdc_import(cast, as_user):
    response = upload(as_user(cast.supervisor_a), cast.org_a,
                      _xlsx([HEADER, ctdc_row(1)]), name="x.xlsx")
    assert _problems(response)[1] == []
    assert StatRecord.objects.count() == 1


def test_formula_cell_refused(cast, as_user):
    row = ctdc_row(1)
    row[3] = "=HYPERLINK(\"http://evil\",\"x\")"
    response = _bad(as_user(cast.supervisor_a), cast.org_a, _xlsx([HEADER, row]), name="x.xlsx")
    problem = _problems(response)[1][0]
    assert problem["row"] == 2 and problem["column"] == "D" and "formula" in problem["problem"]


def test_zip_bomb_refused(cast, as_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (20 * 1024 * 1024) + b">")
    content = buffer.getvalue()
    assert len(content) < 200_000
    response = _bad(as_user(cast.supervisor_a), cast.org_a, content, name="x.xlsx")
    assert "zip bomb" in _problems(response)[1][0]["problem"]


@override_settings(BRIDGEWAY_IMPORT_MAX_BYTES=1000)
def test_oversize_upload_refused(cast, as_user):
    content = ctdc_csv([ctdc_row(i) for i in range(50)])
    assert len(content) > 1000
    response = _bad(as_user(cast.supervisor_a), cast.org_a, content)
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert ImportJob.objects.count() == 0


@override_settings(BRIDGEWAY_IMPORT_INLINE_BYTES=10)
def test_large_import_runs_as_background_job(cast, as_user, tmp_path):
    # The test settings' immediate task backend runs the task at once; the job page shows it.
    client = as_user(cast.supervisor_a)
    response = upload(client, cast.org_a, ctdc_csv([ctdc_row(i) for i in range(30)]))
    job = response.context["job"]
    assert job.status == ImportJob.Status.DONE and job.percent == 100
    assert StatRecord.objects.count() == 30
    assert job.wrapped_key is None
    partial = client.get(f"/stats/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    # The fragment htmx swaps in: finished, so it stops polling and has no bar any more.
    assert b'id="job-progress"' in partial.content and b"<html" not in partial.content
    assert b"hx-trigger" not in partial.content and b"<progress" not in partial.content
    assert b"30 record(s) imported." in partial.content


def test_finished_job_shows_no_half_full_bar(cast, as_user):
    # The reading stopped at row 3 of 10 (a problem was found): finished, not "30 %".
    job = ImportJob.objects.create(organisation=cast.org_a, created_by=cast.supervisor_a,
                                   kind="ctdc", file_type="csv", status="failed", rows_done=3,
                                   rows_total=10, dry_run=True,
                                   report={"rows": 3, "problem_count": 1, "problems": [
                                       {"row": 4, "column": "gender", "problem": "Unknown code"}]})
    html = as_user(cast.supervisor_a).get(f"/stats/jobs/{job.pk}/").content.decode()
    assert "<progress" not in html and "hx-trigger" not in html
    assert 'http-equiv="refresh"' not in html
    assert "Checked: problems found" in html and "Nothing was imported." in html


def test_dry_run_status_never_says_imported(cast, as_user):
    client = as_user(cast.supervisor_a)
    response = upload(client, cast.org_a, ctdc_csv([ctdc_row(1)]), dry_run=True)
    html = response.content.decode()
    assert "Checked: no problem found" in html and ">Imported<" not in html
    home = client.get(f"/stats/?organisation={cast.org_a.pk}").content.decode()
    assert "Checked: no problem found" in home and "Imported" not in home


def test_job_page_polls_while_running(cast, as_user):
    job = ImportJob.objects.create(organisation=cast.org_a, created_by=cast.supervisor_a,
                                   kind="ctdc", file_type="csv", status="running", rows_done=50,
                                   rows_total=100)
    html = as_user(cast.supervisor_a).get(f"/stats/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="50"' in html
    assert 'http-equiv="refresh"' in html


def test_quoted_cells_and_windows_line_ends_read_as_csv(cast, tmp_path):
    """Lines without a quote are split directly, lines with one go through csv.reader: a file
    mixing both (a quoted cell holding the delimiter and a line break) gives the same rows."""
    from bridgeway.stats import files

    path = tmp_path / "mixed.csv"
    path.write_bytes(b'\xef\xbb\xbfa;b;c\r\n1;;3\r\n"x;y";"two\r\nlines";""""\r\n\r\n4;5;6')
    assert list(files.csv_rows(path, ";")) == [
        ["a", "b", "c"], ["1", "", "3"], ["x;y", "two\r\nlines", '"'], [], ["4", "5", "6"]]
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b'a;b\n1;2\n"open;3\n')
    rows = files.csv_rows(broken, ";")
    assert next(rows) == ["a", "b"] and next(rows) == ["1", "2"]
    # csv.reader's own reading of an unclosed quote at the end of the file, unchanged.
    assert list(rows) == [["open;3\n"]]


def test_quoted_ctdc_cells_import_like_plain_ones(cast, as_user):
    client = as_user(cast.supervisor_a)
    row = ctdc_row(1, Datasource='"Case Management"', citizenship='"MD"')
    response = upload(client, cast.org_a, ctdc_csv([row, ctdc_row(2)]))
    assert response.context["job"].status == ImportJob.Status.DONE
    first, second = StatRecord.objects.filter(organisation=cast.org_a).order_by("pk")
    assert (first.datasource, first.citizenship) == (second.datasource, second.citizenship) \
        == ("CaseManagement", "MD")
