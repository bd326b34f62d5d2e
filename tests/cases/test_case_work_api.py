"""Case work through the API: services delivered, support plan, tasks, trafficking events,
perpetrators, assignment, status and anonymous first contacts — same services, same scoping."""


import pytest
from django.utils import timezone

from bridgeway.cases import services
from bridgeway.cases.models import (
    Case,
    CaseNote,
    CaseTask,
    Perpetrator,
    PlanObjective,
    ServiceDelivery,
    TraffickingEvent,
)
from bridgeway.protection.models import AccessLogEntry, AuditEvent, DataSubject
from tests.conftest import api
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DENIED = ["caseworker_b", "agency_poc", "coordinator", "outsider", "dpo_a"]


@pytest.fixture
def colleague(cast):
    """A caseworker of org A who is not assigned to the case."""
    user = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(user)
    return user


# name: (model, a valid POST body, the encrypted field a GET must show decrypted)
SUB_LISTS = {
    "services": (ServiceDelivery, {"service": "shelter", "started_on": "2024-01-10",
                                   "provider_other": "Safe House", "outcome": "ongoing",
                                   "note": "Room 4, women's wing"}, "note"),
    "objectives": (PlanObjective, {"objective": "Find housing", "due_on": "2099-01-01"},
                   "objective"),
    "tasks": (CaseTask, {"title": "Call the lawyer", "due_on": "2099-01-01"}, "title"),
    "events": (TraffickingEvent, {"kind": "exploitation", "country": "PL",
                                  "place": "Farm near Lublin", "date_from": "2024-05-01"},
               "place"),
    "perpetrators": (Perpetrator, {"relationship": "Employer", "citizenship": "PL",
                                   "description": "Farm owner, drives a red van"},
                     "description"),
}


def written() -> tuple:
    return (ServiceDelivery.objects.count(), PlanObjective.objects.count(),
            CaseTask.objects.count(), TraffickingEvent.objects.count(),
            Perpetrator.objects.count(), CaseNote.objects.count(), Case.objects.count(),
            DataSubject.objects.count(), AuditEvent.objects.count())


@pytest.mark.parametrize("who", ["caseworker_a", "supervisor_a"])
@pytest.mark.parametrize("name", SUB_LISTS)
def test_case_team_adds_and_reads_through_the_access_log(cast, case, who, name):
    model, body, secret_field = SUB_LISTS[name]
    user = getattr(cast, who)
    client = api(user)
    url = f"/api/v1/cases/{case.pk}/{name}/"
    made = client.post(url, body, format="json")
    assert made.status_code == 201, made.json()
    assert model.objects.get().case_id == case.pk
    assert AuditEvent.objects.filter(object_id=made.json()["id"]).exists()
    AccessLogEntry.objects.all().delete()
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1  # paginated like every list of the API
    assert [row[secret_field] for row in listed.json()["results"]] == [body[secret_field]]
    assert AccessLogEntry.objects.filter(user=user, subject=case.subject_id, via="api").exists()


@pytest.mark.parametrize("who", DENIED)
@pytest.mark.parametrize("name", SUB_LISTS)
def test_others_get_404_and_write_nothing(cast, case, who, name):
    model, body, _field = SUB_LISTS[name]
    client = api(getattr(cast, who))
    url = f"/api/v1/cases/{case.pk}/{name}/"
    before = written()
    assert client.get(url).status_code == 404
    assert client.post(url, body, format="json").status_code == 404
    assert written() == before
    assert not AccessLogEntry.objects.filter(user=getattr(cast, who)).exists()


@pytest.mark.parametrize("name,body,field", [
    ("services", {"service": "teleportation", "started_on": "2024-01-10"}, "service"),
    ("services", {"service": "shelter"}, "started_on"),
    ("services", {"service": "shelter", "started_on": "2024-05-01", "ended_on": "2024-04-01"},
     "ended_on"),
    ("services", {"service": "shelter", "started_on": "2999-01-01"}, "started_on"),
    ("services", {"service": "shelter", "started_on": "2024-01-10", "provider": 999999},
     "provider"),
    ("services", {"service": "shelter", "started_on": "2024-01-10", "outcome": "great"},
     "outcome"),
    ("objectives", {"objective": "  "}, "objective"),
    ("objectives", {"objective": "Housing", "due_on": "2000-01-01"}, "due_on"),
    ("tasks", {"title": "Call"}, "due_on"),
    ("tasks", {"title": "", "due_on": "2099-01-01"}, "title"),
    ("events", {"kind": "recruitment", "date_from": "1999-01-01"}, "date_from"),
    ("events", {"kind": "recruitment", "date_from": "2024-05-01", "date_to": "2024-04-01"},
     "date_to"),
    ("events", {"kind": "recruitment", "date_from": "2999-01-01"}, "date_from"),
    ("events", {"kind": "holiday"}, "kind"),
    ("events", {"kind": "transit", "country": "XX"}, "country"),
    ("perpetrators", {"relationship": "Boss"}, "relationship"),
    ("perpetrators", {"citizenship": "XX"}, "citizenship"),
    ("perpetrators", {}, "relationship"),
    ("perpetrators", {"description": "x" * 2001}, "description"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, case, name, body, field):
    client = api(cast.caseworker_a)  # making a token is audited: before counting
    before = written()
    response = client.post(f"/api/v1/cases/{case.pk}/{name}/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert written() == before


def test_service_provider_must_be_an_organisation_the_caller_can_see(cast, case):
    client = api(cast.caseworker_a)
    url = f"/api/v1/cases/{case.pk}/services/"
    hidden = client.post(url, {"service": "legal", "started_on": "2024-01-10",
                               "provider": cast.hidden.pk}, format="json")
    assert hidden.status_code == 400 and "provider" in hidden.json()
    ok = client.post(url, {"service": "legal", "started_on": "2024-01-10",
                           "provider": cast.org_b.pk}, format="json")
    assert ok.status_code == 201 and ServiceDelivery.objects.get().provider == cast.org_b


def test_task_goes_only_to_someone_who_can_work_on_the_case(cast, case, colleague):
    client = api(cast.supervisor_a)
    url = f"/api/v1/cases/{case.pk}/tasks/"
    for outsider_to_case in (colleague, cast.caseworker_b, cast.dpo_a):
        response = client.post(url, {"title": "Visit", "due_on": "2099-01-01",
                                      "assignee": outsider_to_case.pk}, format="json")
        assert response.status_code == 400 and "assignee" in response.json()
    assert not CaseTask.objects.exists()
    ok = client.post(url, {"title": "Visit", "due_on": "2099-01-01",
                           "assignee": cast.caseworker_a.pk}, format="json")
    assert ok.status_code == 201 and ok.json()["assignee"] == cast.caseworker_a.pk


def test_my_tasks_and_marking_done(cast, case):
    supervisor = api(cast.supervisor_a)
    url = f"/api/v1/cases/{case.pk}/tasks/"
    late = supervisor.post(url, {"title": "Report to court", "due_on": "2020-01-01",
                                 "assignee": cast.caseworker_a.pk}, format="json").json()
    own = api(cast.caseworker_a).post(url, {"title": "Call the lawyer", "due_on": "2099-01-01"},
                                      format="json").json()
    supervisor.post(url, {"title": "Sign off", "due_on": "2099-01-01"}, format="json")
    mine = api(cast.caseworker_a).get("/api/v1/tasks/").json()["results"]
    assert [t["title"] for t in mine] == ["Report to court", "Call the lawyer"]
    assert mine[0]["case_reference"] == case.reference
    assert [t["title"] for t in supervisor.get("/api/v1/tasks/").json()["results"]] == \
        ["Sign off"]
    for who in DENIED:
        client = api(getattr(cast, who))
        assert client.get("/api/v1/tasks/").json()["count"] == 0
        assert client.post(f"{url}{late['id']}/done/").status_code == 404
    assert CaseTask.objects.get(pk=late["id"]).done_at is None
    done = api(cast.caseworker_a).post(f"{url}{late['id']}/done/")
    assert done.status_code == 200 and done.json()["done_at"]
    assert AuditEvent.objects.filter(action="cases.task.done", object_id=late["id"]).exists()
    mine = api(cast.caseworker_a).get("/api/v1/tasks/").json()["results"]
    assert [t["id"] for t in mine] == [own["id"]]
    assert api(cast.caseworker_a).post(f"{url}not-a-uuid/done/").status_code == 404


def test_objective_marked_done(cast, case):
    url = f"/api/v1/cases/{case.pk}/objectives/"
    made = api(cast.caseworker_a).post(url, {"objective": "Find housing"}, format="json").json()
    for who in DENIED:
        assert api(getattr(cast, who)).post(f"{url}{made['id']}/done/").status_code == 404
    assert PlanObjective.objects.get().done_on is None
    done = api(cast.supervisor_a).post(f"{url}{made['id']}/done/")
    assert done.status_code == 200 and done.json()["done_on"] == TODAY.isoformat()
    other = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                               person=services.PersonData(first_name="Ana", age=30))
    # An objective is only reachable through its own case.
    assert api(cast.caseworker_a).post(
        f"/api/v1/cases/{other.pk}/objectives/{made['id']}/done/").status_code == 404


def test_only_a_supervisor_assigns(cast, case, colleague):
    url = f"/api/v1/cases/{case.pk}/assign/"
    v = case.version
    refused = api(cast.caseworker_a).post(url, {"assignees": [colleague.pk], "version": v},
                                          format="json")
    assert refused.status_code == 403
    for who in DENIED:
        assert api(getattr(cast, who)).post(url, {"assignees": [colleague.pk], "version": v},
                                            format="json").status_code == 404
    assert list(case.assignees.all()) == [cast.caseworker_a]
    bad = api(cast.supervisor_a).post(url, {"assignees": [cast.caseworker_b.pk], "version": v},
                                      format="json")
    assert bad.status_code == 400 and "assignees" in bad.json()
    assert list(case.assignees.all()) == [cast.caseworker_a]
    ok = api(cast.supervisor_a).post(url, {"assignees": [colleague.pk], "version": v},
                                     format="json")
    assert ok.status_code == 200 and ok.json()["assignees"] == [colleague.pk]
    assert list(case.assignees.all()) == [colleague]
    assert AuditEvent.objects.filter(action="cases.case.assigned").exists()
    # The former assignee no longer sees the case; the new one does.
    assert api(cast.caseworker_a).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api(colleague).get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_status_change_with_reason(cast, case):
    url = f"/api/v1/cases/{case.pk}/status/"
    v = case.version
    for who in DENIED:
        assert api(getattr(cast, who)).post(url, {"status": "FollowUp", "version": v},
                                            format="json").status_code == 404
    no_reason = api(cast.caseworker_a).post(url, {"status": "Closed", "version": v},
                                            format="json")
    assert no_reason.status_code == 400 and "close_reason" in no_reason.json()
    unknown = api(cast.caseworker_a).post(url, {"status": "Gone", "version": v}, format="json")
    assert unknown.status_code == 400 and "status" in unknown.json()
    case.refresh_from_db()
    assert case.status == "Active" and case.closed_on is None
    closed = api(cast.caseworker_a).post(url, {"status": "ClosedReferred", "version": v,
                                               "close_reason": "referred"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "ClosedReferred" and closed.json()["closed_on"]
    reopened = api(cast.supervisor_a).post(url, {"status": "FollowUp",
                                                 "version": closed.json()["version"]},
                                           format="json")
    assert reopened.json()["status"] == "FollowUp" and reopened.json()["closed_on"] is None
    assert AuditEvent.objects.filter(action="cases.case.status_changed").count() == 2


def test_anonymous_first_contact_then_full_case(cast):
    client = api(cast.caseworker_a)
    url = "/api/v1/cases/first-contacts/"
    bad = client.post(url, {"organisation": cast.org_a.pk, "contact_channel": "pigeon"},
                      format="json")
    assert bad.status_code == 400 and "contact_channel" in bad.json()
    assert not Case.objects.exists()
    made = client.post(url, {"organisation": cast.org_a.pk, "contact_channel": "chat",
                             "exploitation_types": ["ForcedBegging"]}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["is_first_contact"] and body["name"] is None and body["contact_channel"] == "chat"
    assert DataSubject.objects.count() == 0
    convert = f"/api/v1/cases/{body['id']}/convert/"
    for who in DENIED:
        assert api(getattr(cast, who)).post(convert, {"first_name": "Tetiana"},
                                            format="json").status_code == 404
    for wrong, field in (({"first_name": " "}, "first_name"),
                         ({"first_name": "T", "birth_date": "2999-01-01"}, "birth_date"),
                         ({"first_name": "T", "citizenship": "XX"}, "citizenship")):
        response = client.post(convert, wrong, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    assert DataSubject.objects.count() == 0
    done = client.post(convert, {"first_name": "Tetiana", "birth_date": "2010-03-03"},
                       format="json")
    assert done.status_code == 200
    assert done.json()["name"] == "Tetiana" and done.json()["is_child"]
    assert not done.json()["is_first_contact"] and Case.objects.count() == 1
    again = client.post(convert, {"first_name": "Someone"}, format="json")
    assert again.status_code == 400 and DataSubject.objects.count() == 1


@pytest.mark.parametrize("who", DENIED)
def test_others_cannot_open_a_first_contact_for_org_a(cast, who):
    response = api(getattr(cast, who)).post("/api/v1/cases/first-contacts/", {
        "organisation": cast.org_a.pk, "contact_channel": "phone"}, format="json")
    assert response.status_code == 404 and not Case.objects.exists()


@pytest.mark.parametrize("name", ["services", "objectives", "tasks", "events", "perpetrators",
                                  "notes"])
def test_a_first_contact_holds_no_personal_rows(cast, name):
    case = services.first_contact_open(org=cast.org_a, actor=cast.caseworker_a, channel="phone")
    body = SUB_LISTS[name][1] if name in SUB_LISTS else {"body": "Called back"}
    client = api(cast.caseworker_a)  # making a token is audited: before counting
    before = written()
    response = client.post(f"/api/v1/cases/{case.pk}/{name}/", body, format="json")
    assert response.status_code == 400, response.json()
    assert "first" in " ".join(str(v) for v in response.json().values())
    assert written() == before
