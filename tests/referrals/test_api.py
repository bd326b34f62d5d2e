"""The API: same scoping and rules as the screens."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.protection.models import AccessLogEntry
from bridgeway.protection.services import document_upload
from bridgeway.referrals.models import Referral
from tests.conftest import signed_in
from tests.referrals.conftest import SECRET_NOTE, SECRET_PHONE, counts, send

pytestmark = pytest.mark.django_db


def body(cast, case, **over):
    return {"case": str(case.pk), "recipient": cast.police.pk, "sections": ["identity"],
            "services": ["identification"], "reason": "AdditionalServicesRequired",
            "urgency": "normal", **over}


def test_send_accept_and_read_only_the_shared_sections(cast, case, consent):
    cases.event_add(case=case, actor=cast.caseworker_a, kind="recruitment", country="UA",
                    place="Odesa bus station")
    client = signed_in(cast.caseworker_a)
    response = client.post("/api/v1/referrals/", body(cast, case, sections=["victim_context"]),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["kind"] == "NRM" and data["side"] == "sender"
    assert data["shared"] is None
    poc = signed_in(cast.agency_poc)
    got = poc.get(f"/api/v1/referrals/{data['id']}/")
    assert got.status_code == 200
    shared = got.json()["shared"]
    assert set(shared) == {"victim_context"}
    assert shared["victim_context"]["exploitation_types"] == ["ForcedLabour"]
    assert shared["victim_context"]["events"][0]["place"] == "Odesa bus station"
    text = got.content.decode()
    for secret in ("Наталія", "Ткаченко", SECRET_PHONE, SECRET_NOTE, "1994-07-12",
                   str(case.pk)):
        assert secret not in text
    assert AccessLogEntry.objects.filter(user=cast.agency_poc, via="api").exists()
    accepted = poc.post(f"/api/v1/referrals/{data['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["recipient_case"]
    again = poc.post(f"/api/v1/referrals/{data['id']}/accept/")
    assert again.status_code == 400 and "already accepted" in again.content.decode()


def test_list_by_direction_and_nobody_else(cast, referral):
    assert [r["reference"] for r in signed_in(cast.agency_poc).get(
        "/api/v1/referrals/?direction=incoming").json()["results"]] == [referral.reference]
    assert signed_in(cast.agency_poc).get(
        "/api/v1/referrals/?direction=outgoing").json()["results"] == []
    assert signed_in(cast.caseworker_a).get(
        "/api/v1/referrals/").json()["results"][0]["side"] == "sender"
    for who in ["caseworker_b", "coordinator", "dpo_a", "admin_a", "outsider", "platform_admin"]:
        client = signed_in(getattr(cast, who))
        assert client.get("/api/v1/referrals/").json()["results"] == []
        assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
        assert client.post(f"/api/v1/referrals/{referral.pk}/accept/").status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "pending"


@pytest.mark.parametrize("over,field", [
    ({"recipient": "own"}, "recipient"),
    ({"services": ["shelter"]}, "services"),
    ({"deadline": "past"}, "deadline"),
    ({"sections": ["diary"]}, "sections"),
])
def test_bad_input(cast, case, consent, over, field):
    if over.get("recipient") == "own":
        over["recipient"] = cast.org_a.pk
    if over.get("deadline") == "past":
        over["deadline"] = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    client = signed_in(cast.caseworker_a)
    before = counts()
    response = client.post("/api/v1/referrals/", body(cast, case, **over),
                           content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert counts() == before


def test_without_consent_then_override(cast, case):
    client = signed_in(cast.caseworker_a)
    before = counts()
    response = client.post("/api/v1/referrals/", body(cast, case), content_type="application/json")
    assert response.status_code == 400 and "consent" in response.json()
    assert counts() == before
    response = signed_in(cast.supervisor_a).post(
        "/api/v1/referrals/", body(cast, case, override_reason="Danger tonight"),
        content_type="application/json")
    assert response.status_code == 201


def test_revocation_ends_api_access_at_once(cast, case, consent):
    doc = document_upload(subject=case.subject, actor=cast.caseworker_a,
                          uploaded=SimpleUploadedFile("a.pdf", b"%PDF-1.4 y"))
    referral = send(cast, case, sections=["documents"])
    poc = signed_in(cast.agency_poc)
    url = f"/api/v1/referrals/{referral.pk}/documents/{doc.pk}/"
    assert poc.get(url).status_code == 200
    assert poc.get(f"/api/v1/referrals/{referral.pk}/").json()["shared"]["documents"][0]["id"] \
        == str(doc.pk)
    response = signed_in(cast.caseworker_a).post(f"/api/v1/referrals/{referral.pk}/revoke/")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert poc.get(url).status_code == 404
    assert poc.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


def test_decline_complete_transfer(cast, case, consent):
    referral = send(cast, case)
    poc = signed_in(cast.agency_poc)
    assert poc.post(f"/api/v1/referrals/{referral.pk}/decline/", {"reason": "bogus"},
                    content_type="application/json").status_code == 400
    response = poc.post(f"/api/v1/referrals/{referral.pk}/decline/", {"reason": "no_capacity"},
                        content_type="application/json")
    assert response.json()["status"] == "declined"
    other = send(cast, case, to=cast.org_b, services_=["shelter"])
    signed_in(cast.caseworker_b).post(f"/api/v1/referrals/{other.pk}/accept/")
    sup = signed_in(cast.supervisor_a)
    response = sup.post(f"/api/v1/referrals/{other.pk}/transfer/", {"confirm": False},
                        content_type="application/json")
    assert response.status_code == 400
    response = sup.post(f"/api/v1/referrals/{other.pk}/transfer/", {"confirm": True},
                        content_type="application/json")
    assert response.status_code == 200 and response.json()["transferred_at"]


def test_settings_api(cast):
    url = f"/api/v1/organisations/{cast.org_a.pk}/referral-settings/"
    assert signed_in(cast.admin_a).get(url).json() == {
        "urgent_hours": 4, "normal_working_days": 3, "low_working_days": 10}
    response = signed_in(cast.supervisor_a).put(
        url, {"urgent_hours": 8, "normal_working_days": 3, "low_working_days": 10},
        content_type="application/json")
    assert response.status_code == 200 and response.json()["urgent_hours"] == 8
    assert signed_in(cast.caseworker_a).get(url).status_code == 404
    assert signed_in(cast.outsider).get(url).status_code == 404
