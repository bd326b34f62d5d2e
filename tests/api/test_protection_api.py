import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bridgeway.protection.models import AccessLogEntry, Consent, DataSubject, ErasureRequest
from bridgeway.protection.services import subject_create
from tests.conftest import api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def person(cast):
    return subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name="Radu Ceban")


@pytest.mark.parametrize("who,status", [("caseworker_a", 201), ("dpo_a", 201),
                                        ("caseworker_b", 404), ("admin_a", 404),
                                        ("agency_poc", 404)])
def test_consent_through_the_api(cast, person, who, status):
    response = api(getattr(cast, who)).post(f"/api/v1/persons/{person.pk}/consents/", {
        "purpose": "statistics", "method": "written", "given_on": "2026-02-01"}, format="json")
    assert response.status_code == status
    assert Consent.objects.filter(subject=person).count() == (1 if status == 201 else 0)


def test_bad_consent_through_the_api_names_the_field(cast, person):
    response = api(cast.caseworker_a).post(f"/api/v1/persons/{person.pk}/consents/", {
        "purpose": "referral", "method": "oral_witnessed", "given_on": "2026-02-01"},
        format="json")
    assert response.status_code == 400 and "witness_or_guardian" in response.json()
    response = api(cast.caseworker_a).get(f"/api/v1/persons/{person.pk}/consent-check/")
    assert response.status_code == 400 and "purpose" in response.json()
    assert not Consent.objects.exists()


def test_documents_through_the_api(cast, person):
    client = api(cast.caseworker_a)
    bad = client.post(f"/api/v1/persons/{person.pk}/documents/",
                      {"file": SimpleUploadedFile("x.html", b"<html></html>")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    ok = client.post(f"/api/v1/persons/{person.pk}/documents/",
                     {"file": SimpleUploadedFile("s.pdf", b"%PDF-1.7 minimal")},
                     format="multipart")
    assert ok.status_code == 201
    doc_id = ok.json()["id"]
    down = client.get(f"/api/v1/persons/{person.pk}/documents/{doc_id}/")
    assert down.status_code == 200 and b"".join(down.streaming_content) == b"%PDF-1.7 minimal"
    assert AccessLogEntry.objects.filter(user=cast.caseworker_a, via="download").exists()
    assert api(cast.caseworker_b).get(
        f"/api/v1/persons/{person.pk}/documents/{doc_id}/").status_code == 404


def test_dpo_runs_erasure_and_retention_through_the_api(cast, person):
    asked = api(cast.caseworker_a).post(f"/api/v1/persons/{person.pk}/erasure-requests/",
                                        {"reason": "subject_request"}, format="json")
    assert asked.status_code == 201
    dpo = api(cast.dpo_a)
    listed = dpo.get(f"/api/v1/organisations/{cast.org_a.pk}/erasure-requests/").json()
    assert listed["results"][0]["subject_reference"] == person.reference
    assert api(cast.admin_a).get(
        f"/api/v1/organisations/{cast.org_a.pk}/erasure-requests/").status_code == 403
    req = ErasureRequest.objects.get()
    assert api(cast.caseworker_a).post(f"/api/v1/erasure-requests/{req.pk}/decide/",
                                       {"decision": "erase"}, format="json").status_code == 404
    assert dpo.post(f"/api/v1/erasure-requests/{req.pk}/decide/", {"decision": "maybe"},
                    format="json").status_code == 400
    assert dpo.post(f"/api/v1/erasure-requests/{req.pk}/decide/", {"decision": "erase"},
                    format="json").status_code == 200
    assert DataSubject.objects.get(pk=person.pk).is_erased
    policy = f"/api/v1/organisations/{cast.org_a.pk}/retention-policy/"
    assert dpo.put(policy, {"years_after_closure": 0}, format="json").status_code == 400
    assert dpo.put(policy, {"years_after_closure": 7}, format="json").json() == {
        "years_after_closure": 7}
    assert api(cast.caseworker_a).get(policy).status_code == 403


def test_export_and_legal_hold_through_the_api(cast, person):
    from bridgeway.protection.services import consent_record

    consent_record(subject=person, actor=cast.caseworker_a, purpose="research",
                   method="written", given_on=dt.date(2026, 1, 1))
    assert api(cast.caseworker_a).get(f"/api/v1/persons/{person.pk}/export/").status_code == 404
    response = api(cast.dpo_a).get(f"/api/v1/persons/{person.pk}/export/")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert "Radu Ceban" in zf.read("subject.html").decode()
    hold = api(cast.dpo_a).post(f"/api/v1/persons/{person.pk}/legal-hold/", {"hold": True},
                                format="json")
    assert hold.status_code == 200 and DataSubject.objects.get(pk=person.pk).legal_hold
    assert api(cast.caseworker_a).post(f"/api/v1/persons/{person.pk}/legal-hold/",
                                       {"hold": False}, format="json").status_code == 404
