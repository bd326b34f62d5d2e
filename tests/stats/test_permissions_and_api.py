import io

import pytest
from django.core.management import call_command

from bridgeway.stats.models import ImportJob, StatRecord
from tests.stats.helpers import ctdc_csv, ctdc_row, upload


@pytest.mark.parametrize("who,status", [
    ("supervisor_a", 200), ("admin_a", 200),
    ("caseworker_a", 404), ("dpo_a", 404), ("caseworker_b", 404), ("admin_b", 404),
    ("agency_poc", 404), ("coordinator", 404), ("outsider", 404),
])
def test_who_opens_org_a_statistics(cast, as_user, who, status):
    client = as_user(getattr(cast, who))
    for url in ("/stats/", "/stats/import/", "/stats/export/"):
        assert client.get(f"{url}?organisation={cast.org_a.pk}").status_code == status, url


@pytest.mark.parametrize("who,status", [
    ("coordinator", 200), ("supervisor_a", 404), ("outsider", 404), ("agency_poc", 404)])
def test_network_store_is_the_coordinators(cast, as_user, who, status):
    client = as_user(getattr(cast, who))
    assert client.get(f"/stats/?organisation={cast.network.pk}").status_code == status


def test_outsider_cannot_import_or_see_a_job(cast, as_user):
    response = upload(as_user(cast.caseworker_b), cast.org_a, ctdc_csv([ctdc_row(1)]))
    assert response.status_code == 404 and StatRecord.objects.count() == 0
    upload(as_user(cast.supervisor_a), cast.org_a, ctdc_csv([ctdc_row(1)]))
    job = ImportJob.objects.get()
    for who in ("caseworker_a", "caseworker_b", "coordinator", "outsider"):
        assert as_user(getattr(cast, who)).get(f"/stats/jobs/{job.pk}/").status_code == 404
        assert as_user(getattr(cast, who)).get(f"/api/v1/stats/imports/{job.pk}/").status_code \
            == 404
    assert as_user(cast.admin_a).get(f"/stats/jobs/{job.pk}/").status_code == 200


def _api_upload(client, org, content, **data):
    f = io.BytesIO(content)
    f.name = "x.csv"
    return client.post(f"/api/v1/organisations/{org.pk}/stats/imports/",
                       {"file": f, "format": "ctdc", **data})


def test_api_dry_run_then_import_then_status(cast, as_user):
    client = as_user(cast.supervisor_a)
    bad = _api_upload(client, cast.org_a, ctdc_csv([ctdc_row(1, gender="Robot")]))
    assert bad.status_code == 200
    assert bad.json()["report"]["problems"][0] == {"row": 2, "column": "gender",
                                                   "problem": bad.json()["report"]["problems"][0]["problem"]}
    assert bad.json()["status"] == "failed"
    ok = _api_upload(client, cast.org_a, ctdc_csv([ctdc_row(1)]), dry_run="false")
    assert ok.json()["status"] == "done" and ok.json()["records"] == 1
    status = client.get(f"/api/v1/stats/imports/{ok.json()['id']}/").json()
    assert status["percent"] == 100
    again = _api_upload(client, cast.org_a, ctdc_csv([ctdc_row(1)]), dry_run="false")
    assert again.json()["status"] == "duplicate" and StatRecord.objects.count() == 1
    assert _api_upload(as_user(cast.outsider), cast.org_a, b"x").status_code in (403, 404)


def test_api_export(cast, as_user):
    client = as_user(cast.supervisor_a)
    _api_upload(client, cast.org_a, ctdc_csv([ctdc_row(1)]), dry_run="false")
    response = client.get(f"/api/v1/organisations/{cast.org_a.pk}/stats/export/?layout=ctdc_csv")
    assert response.status_code == 200 and b"yearOfRegistration" in response.content
    stale = as_user(cast.supervisor_a, reauthenticated=False)
    response = stale.get(f"/api/v1/organisations/{cast.org_a.pk}/stats/export/"
                         "?layout=htcds_csv&personal=1")
    assert response.status_code == 403
    assert as_user(cast.caseworker_b).get(
        f"/api/v1/organisations/{cast.org_a.pk}/stats/export/?layout=ctdc_csv").status_code == 404


@pytest.mark.django_db
def test_schema_lists_the_stats_endpoints(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/organisations/{org_pk}/stats/imports/" in text
    assert "/api/v1/stats/imports/{id}/" in text
