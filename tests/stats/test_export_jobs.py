"""Exports too large for a request (BRIDGEWAY_STATS_INLINE_EXPORT_ROWS) become background jobs
(core.jobs): the file waits sealed until the person who asked for it downloads it once; nobody
else learns of it; a dead worker's export is resumed or failed with a message; the sweep deletes
what is not downloaded in time."""

import datetime as dt
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from bridgeway.cases.services import PersonData, case_open
from bridgeway.core import jobs
from bridgeway.orgs.models import Membership
from bridgeway.protection.models import AccessLogEntry, AuditEvent
from bridgeway.stats import services
from bridgeway.stats.models import ExportJob
from tests.conftest import api
from tests.stats.helpers import ctdc_csv, ctdc_row, upload
from tests.stats.test_job_recovery import _dead_worker

NAME = "Quarrington"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path) -> Path:
    settings.BRIDGEWAY_IMPORT_DIR = tmp_path / "var" / "imports"
    settings.BRIDGEWAY_EXPORT_DIR = tmp_path / "var" / "exports"
    return tmp_path / "var"


def _clear_on_disk(var_dir: Path, value: bytes) -> list[Path]:
    return [p for p in var_dir.rglob("*") if p.is_file() and value in p.read_bytes()]


def _export(client, org, fmt, personal=False):
    data = {"organisation": org.pk, "format": fmt}
    if personal:
        data["include_personal"] = "on"
    return client.post(f"/stats/export/?organisation={org.pk}", data)


def _store(cast, client, rows=5):
    upload(client, cast.org_a, ctdc_csv([ctdc_row(i, citizenship="UA") for i in range(rows)]))


def _case(cast):
    case_open(org=cast.org_a, actor=cast.supervisor_a,
              person=PersonData(first_name="Zenobia", second_name=NAME, age=30,
                                gender="Feminine", citizenship="MD"),
              opened_on=date(2024, 3, 1), exploitation_types=["SexualExploitation"])


def test_small_export_stays_in_the_request(cast, as_user):
    client = as_user(cast.supervisor_a)
    _store(cast, client)
    response = _export(client, cast.org_a, "ctdc_csv")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["ctdc_csv", "ctdc_xlsx"])
def test_large_export_becomes_a_job_and_downloads_once(cast, as_user, settings, var_dir, fmt):
    client = as_user(cast.supervisor_a)
    _store(cast, client)
    inline = _export(client, cast.org_a, fmt)
    assert inline.status_code == 200
    settings.BRIDGEWAY_STATS_INLINE_EXPORT_ROWS = 4

    response = _export(client, cast.org_a, fmt)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/stats/exports/{job.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert "Ready to download" in html and f"/stats/exports/{job.pk}/download/" in html
    assert "5 rows are ready." in html
    assert AuditEvent.objects.filter(action="stats.export.queued").count() == 1
    assert AuditEvent.objects.filter(action="stats.export.created").count() == 2

    download = client.get(f"/stats/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert download["Content-Type"] == inline["Content-Type"]
    assert download["Content-Disposition"] == inline["Content-Disposition"]
    if fmt.endswith("csv"):
        assert download.content == inline.content
    else:  # an XLSX's zip carries the time it was written: compare the cells
        import io

        import openpyxl

        def cells(content):
            return list(openpyxl.load_workbook(io.BytesIO(content)).active.values)
        assert cells(download.content) == cells(inline.content)
    assert AuditEvent.objects.filter(action="stats.export.downloaded").count() == 1
    # Once: the sealed file and its key are gone.
    assert client.get(f"/stats/exports/{job.pk}/download/").status_code == 404
    assert not list((var_dir / "exports").iterdir())
    job.refresh_from_db()
    assert job.status == "gone" and job.wrapped_key is None
    assert "was downloaded or has expired" in client.get(f"/stats/exports/{job.pk}/").content.decode()


def test_personal_export_is_sealed_and_only_its_creator_gets_it(cast, as_user, settings,
                                                                var_dir):
    _case(cast)
    settings.BRIDGEWAY_STATS_INLINE_EXPORT_ROWS = 0
    client = as_user(cast.supervisor_a)
    response = _export(client, cast.org_a, "htcds_csv", personal=True)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/stats/exports/{job.pk}/"
    assert job.status == "done" and job.personal
    # Waiting for its download, the file is there, but sealed: the name is nowhere in clear.
    assert list((var_dir / "exports").iterdir())
    assert _clear_on_disk(var_dir, NAME.encode()) == []
    assert AuditEvent.objects.filter(action="stats.export.personal").count() == 1
    assert AccessLogEntry.objects.filter(user=cast.supervisor_a, via="export").exists()

    # Nobody else learns of it: another organisation, an outsider, even a colleague.
    for other in (cast.caseworker_b, cast.outsider, cast.admin_a, cast.caseworker_a):
        for url in (f"/stats/exports/{job.pk}/", f"/stats/exports/{job.pk}/download/"):
            assert as_user(other).get(url).status_code == 404, (other, url)
        for url in (f"/api/v1/stats/exports/{job.pk}/",
                    f"/api/v1/stats/exports/{job.pk}/download/"):
            assert api(other).get(url).status_code == 404, (other, url)
    # Personal data asks for a recent re-authentication again at the download.
    stale = as_user(cast.supervisor_a, reauthenticated=False)
    response = stale.get(f"/stats/exports/{job.pk}/download/")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]

    download = client.get(f"/stats/exports/{job.pk}/download/")
    assert download.status_code == 200 and NAME in download.content.decode("utf-8-sig")
    assert not list((var_dir / "exports").iterdir())


def test_role_withdrawn_before_the_download_refuses_it(cast, as_user, settings, var_dir):
    _case(cast)
    settings.BRIDGEWAY_STATS_INLINE_EXPORT_ROWS = 0
    client = as_user(cast.supervisor_a)
    job = ExportJob.objects.get(pk=_export(client, cast.org_a, "htcds_csv", personal=True)
                                ["Location"].rstrip("/").rsplit("/", 1)[1])
    Membership.objects.filter(user=cast.supervisor_a, organisation=cast.org_a).update(
        role="org_admin")
    response = client.get(f"/stats/exports/{job.pk}/download/", follow=True)
    assert "Only supervisors can export personal data." in response.content.decode()
    assert not AuditEvent.objects.filter(action="stats.export.downloaded").exists()


def test_api_answers_202_with_the_job_then_the_file(cast, as_user, settings, var_dir):
    _store(cast, as_user(cast.supervisor_a), rows=3)
    client = api(cast.supervisor_a)
    url = f"/api/v1/organisations/{cast.org_a.pk}/stats/export/?layout=ctdc_csv"
    inline = client.get(url)
    assert inline.status_code == 200
    settings.BRIDGEWAY_STATS_INLINE_EXPORT_ROWS = 1

    response = client.get(url)
    assert response.status_code == 202
    body = response.json()
    job = ExportJob.objects.get()
    assert body["url"].endswith(f"/api/v1/stats/exports/{job.pk}/")
    assert response["Location"] == body["url"]
    state = client.get(body["url"]).json()
    assert state["status"] == "done" and state["percent"] == 100 and state["message"] == ""
    assert state["rows_total"] == 3
    assert state["download"].endswith(f"/api/v1/stats/exports/{job.pk}/download/")
    # Another organisation's person: 404 on the job and on its file.
    other = api(cast.caseworker_b)
    assert other.get(body["url"]).status_code == 404
    assert other.get(state["download"]).status_code == 404

    download = client.get(state["download"])
    assert download.status_code == 200 and download.content == inline.content
    assert download["Cache-Control"] == "no-store"
    assert client.get(state["download"]).status_code == 404
    after = client.get(body["url"]).json()
    assert after["status"] == "gone" and after["download"] is None


def _stuck(cast, *, attempts):
    job = services.export_job_create(org=cast.org_a, actor=cast.supervisor_a, fmt="ctdc_csv",
                                     personal=False, screen="test")
    ExportJob.objects.filter(pk=job.pk).update(status="running", worker=_dead_worker(),
                                               attempts=attempts, heartbeat_at=timezone.now())
    return job


def test_dead_workers_export_is_resumed(cast, as_user):
    _store(cast, as_user(cast.supervisor_a), rows=3)
    job = _stuck(cast, attempts=1)
    assert jobs.recover().resumed == 1  # the immediate task backend runs it again at once
    job.refresh_from_db()
    assert job.status == "done" and job.interruption == "resumed" and job.attempts == 2
    assert AuditEvent.objects.filter(action="stats.export.resumed").count() == 1
    html = as_user(cast.supervisor_a).get(f"/stats/exports/{job.pk}/").content.decode()
    assert "it was started again from the beginning" in html and "Ready to download" in html


def test_dead_workers_export_out_of_attempts_fails_with_a_message(cast, as_user):
    job = _stuck(cast, attempts=2)
    assert jobs.recover().failed == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.interruption == "failed"
    assert AuditEvent.objects.filter(action="stats.export.interrupted").count() == 1
    html = as_user(cast.supervisor_a).get(f"/stats/exports/{job.pk}/").content.decode()
    assert "nothing was saved. Start it again" in html and "Nothing was exported." in html
    assert "<progress" not in html and "hx-trigger" not in html
    state = api(cast.supervisor_a).get(f"/api/v1/stats/exports/{job.pk}/").json()
    assert state["status"] == "failed" and "Start it again" in state["message"]
    assert state["download"] is None


def test_sweep_deletes_an_export_not_downloaded_in_time(cast, as_user, settings, var_dir):
    client = as_user(cast.supervisor_a)
    _store(cast, client, rows=2)
    settings.BRIDGEWAY_STATS_INLINE_EXPORT_ROWS = 0
    _export(client, cast.org_a, "ctdc_csv")
    job = ExportJob.objects.get()
    stray = var_dir / "exports" / "export-999999.sealed"
    stray.write_bytes(b"x")
    assert jobs.sweep() == 0  # ready and young: kept
    ExportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - dt.timedelta(hours=settings.BRIDGEWAY_EXPORT_KEEP_HOURS + 1))
    assert jobs.sweep() == 1
    job.refresh_from_db()
    assert job.status == "gone" and job.wrapped_key is None
    assert list((var_dir / "exports").iterdir()) == [stray]
    assert client.get(f"/stats/exports/{job.pk}/download/").status_code == 404


def test_worker_checks_the_permission_again(cast, as_user, var_dir):
    _case(cast)
    job = services.export_job_create(org=cast.org_a, actor=cast.supervisor_a, fmt="htcds_csv",
                                     personal=True, screen="test")
    Membership.objects.filter(user=cast.supervisor_a, organisation=cast.org_a).update(
        role="org_admin")
    job = services.export_job_run(job.pk)
    assert job.status == "failed" and job.problem == "Only supervisors can export personal data."
    assert not AuditEvent.objects.filter(action="stats.export.personal").exists()
    assert not (var_dir / "exports").exists() or not list((var_dir / "exports").iterdir())
    html = as_user(cast.supervisor_a).get(f"/stats/exports/{job.pk}/").content.decode()
    assert "Only supervisors can export personal data." in html and "Nothing was exported." in html
