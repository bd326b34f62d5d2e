"""An XLSX export (personal HTCDS export, civic-space incidents) is built in memory: openpyxl's
own save writes each sheet in clear to a named temporary file first, which a killed process
leaves behind."""

import io

import openpyxl
import pytest
from openpyxl.worksheet import _writer

from bridgeway.civicspace import exports as civic_exports
from bridgeway.core.spreadsheets import xlsx_bytes
from bridgeway.stats import exporting


@pytest.fixture
def no_temporary_files(monkeypatch):
    def refuse(suffix=""):
        raise AssertionError("openpyxl wrote a sheet to a temporary file")

    monkeypatch.setattr(_writer, "create_temporary_file", refuse)


def test_workbook_is_built_without_temporary_files(no_temporary_files):
    data = xlsx_bytes([("people", [["first", "phone"], ["Zenobia", "=HYPERLINK(1)"]]),
                       ("other", [[1, 2.5]])])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["people", "other"]
    assert [[c.value for c in r] for r in wb["people"].iter_rows()] == [
        ["first", "phone"], ["Zenobia", "'=HYPERLINK(1)"]]
    assert [[c.value for c in r] for r in wb["other"].iter_rows()] == [[1, 2.5]]


def test_stats_and_civic_exports_use_it(no_temporary_files, db):
    wb = openpyxl.load_workbook(io.BytesIO(exporting._xlsx([["a"], ["Zenobia"]], "htcds")))
    assert wb["htcds"]["A2"].value == "Zenobia"
    from bridgeway.civicspace.models import Incident

    response = civic_exports.export_response(Incident.objects.none(), "xlsx", public=True)
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["incidents"]
