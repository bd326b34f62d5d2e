import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bridgeway.core.spreadsheets import xlsx_bytes
from bridgeway.helpline import services
from bridgeway.helpline.models import Contact
from tests.conftest import api

pytestmark = pytest.mark.django_db

URL = "/api/v1/helpline/contacts/"


def test_a_telephony_system_records_a_contact(cast):
    client = api(cast.caseworker_a)
    response = client.post(URL, {"channel": "phone", "outcome": "information",
                                 "started_at": timezone.now().isoformat(),
                                 "duration_minutes": 7, "topics": ["labour_rights"],
                                 "reach": "+37369123456", "reach_kind": "phone"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "api" and body["reach"] == "+37369123456"
    again = client.post(URL, {"channel": "sms", "outcome": "information",
                              "started_at": timezone.now().isoformat(),
                              "reach": "+373 69 123 456"}, format="json").json()
    assert again["earlier_contacts"] == [body["id"]]
    assert client.get(URL).json()["count"] == 2
    assert "summary" not in client.get(URL).json()["results"][0]


def test_bad_input_names_the_field(cast):
    response = api(cast.caseworker_a).post(URL, {"channel": "fax", "outcome": "",
                                                 "started_at": "yesterday"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"channel", "outcome", "started_at"}
    response = api(cast.caseworker_a).post(URL, {
        "channel": "phone", "outcome": "information", "started_at": timezone.now().isoformat(),
        "summary": "nul\x00"}, format="json")
    assert response.status_code == 400 and "summary" in response.json()
    assert not Contact.objects.exists()


def test_permissions(cast, record):
    contact = record(summary="secret")
    assert api(cast.supervisor_a).get(f"{URL}{contact.pk}/").json()["summary"] == "secret"
    for user in (cast.caseworker_b, cast.agency_poc, cast.coordinator, cast.outsider):
        client = api(user)
        assert client.get(f"{URL}{contact.pk}/").status_code == 404
        assert client.post(f"{URL}{contact.pk}/open-case/").status_code == 404
    assert api(cast.caseworker_b).get(URL).json()["count"] == 0
    response = api(cast.outsider).post(URL, {"channel": "phone", "outcome": "information",
                                             "started_at": timezone.now().isoformat()},
                                       format="json")
    assert response.status_code == 404


def test_triage_and_open_case(cast):
    services.settings_ensure(cast.org_a)
    contact = services.public_submission(org=cast.org_a, answers={"what_happened": "help"},
                                         language="ro")
    client = api(cast.caseworker_a)
    triage = client.get(f"{URL}triage/").json()
    assert [c["id"] for c in triage["results"]] == [str(contact.pk)]
    assert client.get(f"{URL}triage/?status=new").status_code == 400
    opened = client.post(f"{URL}{contact.pk}/open-case/").json()
    assert opened["case"] and opened["status"] == "done"
    assert client.get(f"{URL}triage/").json()["count"] == 0


def _csv(text: str):
    f = io.BytesIO(text.encode())
    f.name = "log.csv"
    return f


def test_call_log_dry_run_then_import(cast):
    client = api(cast.caseworker_a)
    log = ("date,channel,duration,topic,outcome\n"
           "2026-03-01 14:30,phone,12,Labour rights;x:ForcedLabour,information\n"
           "2026-03-02,SMS,,shelter,Call dropped\n")
    dry = client.post("/api/v1/helpline/call-log-imports/", {"file": _csv(log)},
                      format="multipart")
    assert dry.status_code == 200 and dry.json()["rows"] == 2 and dry.json()["created"] == 0
    assert not Contact.objects.exists()
    done = client.post("/api/v1/helpline/call-log-imports/", {"file": _csv(log),
                                                              "dry_run": "false"},
                       format="multipart")
    assert done.json()["created"] == 2
    assert sorted(Contact.objects.values_list("channel", flat=True)) == ["phone", "sms"]
    assert Contact.objects.get(channel="phone").topics == ["labour_rights", "x:ForcedLabour"]


def test_call_log_with_one_bad_row_writes_nothing(cast):
    log = ("date,channel,duration,topic,outcome\n"
           "2026-03-01,phone,12,,information\n"
           "2026-13-01,pigeon,-4,nonsense,information\n")
    response = api(cast.caseworker_a).post("/api/v1/helpline/call-log-imports/",
                                           {"file": _csv(log), "dry_run": "false"},
                                           format="multipart")
    assert response.status_code == 400
    problems = {(p["row"], p["column"]) for p in response.json()["problems"]}
    assert problems == {(3, "date"), (3, "channel"), (3, "duration"), (3, "topic")}
    assert not Contact.objects.exists()


def test_call_log_xlsx_and_bad_files(cast):
    content = xlsx_bytes([("log", [["date", "channel", "outcome"],
                                   ["2026-03-01", "chat", "information"]])])
    report = services.call_log_import(org=cast.org_a, actor=cast.caseworker_a, content=content,
                                      filename="log.xlsx", dry_run=False)
    assert report.created == 1
    for content, name in ((b"\xff\xfe\x00garbage", "x.csv"), (b"PK\x03\x04broken", "x.xlsx"),
                          (b"a,b\n1,2\n", "x.csv")):
        report = services.call_log_import(org=cast.org_a, actor=cast.caseworker_a,
                                          content=content, filename=name, dry_run=False)
        assert not report.ok and report.problems[0]["problem"]
    assert Contact.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.call_log_import(org=cast.org_a, actor=cast.caseworker_b, content=b"",
                                 filename="x.csv", dry_run=True)


def test_the_import_screen_reports_by_row(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import signed_in

    client = signed_in(cast.caseworker_a)
    bad = SimpleUploadedFile("log.csv", b"date,channel,outcome\n2026-03-01,fax,information\n")
    response = client.post("/helpline/import/", {"organisation": cast.org_a.pk, "file": bad})
    assert response.status_code == 400
    assert "Unknown value" in response.content.decode()
    good = SimpleUploadedFile("log.csv", b"date,channel,outcome\n2026-03-01,phone,information\n")
    response = client.post("/helpline/import/", {"organisation": cast.org_a.pk, "file": good})
    assert response.status_code == 302 and Contact.objects.count() == 1
    assert signed_in(cast.caseworker_b).get(
        f"/helpline/import/?organisation={cast.org_a.pk}").status_code == 404
