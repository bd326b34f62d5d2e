import pytest

from bridgeway.cases.indicator_sets import set_for
from bridgeway.cases.models import Case
from bridgeway.protection.models import AccessLogEntry
from tests.conftest import api

pytestmark = pytest.mark.django_db


def open_case(client, org, **person):
    return client.post("/api/v1/cases/", {
        "organisation": org.pk, "person": {"first_name": "Ion", "second_name": "Rusu",
                                           "birth_date": "1995-02-03", **person},
        "exploitation_types": ["ForcedLabour"]}, format="json")


def test_open_read_update_with_conflict(cast):
    client = api(cast.caseworker_a)
    response = open_case(client, cast.org_a)
    assert response.status_code == 201, response.json()
    case_id, version = response.json()["id"], response.json()["version"]
    detail = client.get(f"/api/v1/cases/{case_id}/").json()
    assert detail["name"] == "Ion Rusu"
    assert AccessLogEntry.objects.filter(user=cast.caseworker_a, via="api").exists()
    ok = client.patch(f"/api/v1/cases/{case_id}/", {"version": version,
                                                    "data": {"citizenship": "MD"}},
                      format="json")
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = api(cast.supervisor_a).patch(f"/api/v1/cases/{case_id}/", {
        "version": version, "seen": {"citizenship": ""}, "data": {"citizenship": "RO"}},
        format="json")
    assert stale.status_code == 409 and stale.json()["changed"] == ["citizenship"]
    assert Case.objects.get(pk=case_id).citizenship == "MD"


@pytest.mark.parametrize("who,status", [("caseworker_b", 404), ("dpo_a", 404),
                                        ("agency_poc", 404), ("outsider", 404)])
def test_others_cannot_open_or_read(cast, who, status):
    case_id = open_case(api(cast.caseworker_a), cast.org_a).json()["id"]
    client = api(getattr(cast, who))
    assert client.get(f"/api/v1/cases/{case_id}/").status_code == status
    assert client.get("/api/v1/cases/").json()["count"] == 0
    assert open_case(client, cast.org_a).status_code == 404
    assert Case.objects.count() == 1


def test_bad_input_names_the_field(cast):
    client = api(cast.caseworker_a)
    response = open_case(client, cast.org_a, birth_date="2999-01-01")
    assert response.status_code == 400 and "birth_date" in response.json()
    response = client.post("/api/v1/cases/", {"organisation": cast.org_a.pk,
                                              "person": {"first_name": "A"},
                                              "exploitation_types": ["Farming"]}, format="json")
    assert response.status_code == 400 and "exploitation_types" in response.json()
    assert not Case.objects.exists()


def test_assessment_and_decision_through_the_api(cast):
    client = api(cast.caseworker_a)
    case_id = open_case(client, cast.org_a).json()["id"]
    no_assessment = client.post(f"/api/v1/cases/{case_id}/decisions/",
                                {"status": "PossibleVictimOfTrafficking"}, format="json")
    assert no_assessment.status_code == 400 and "assessment" in no_assessment.json()
    adult = set_for(child=False, sexual=False)
    wrong = client.post(f"/api/v1/cases/{case_id}/assessments/", {
        "indicator_set": adult.pk, "indicators": [{"id": "child_sexual.exploitation.1"}]},
        format="json")
    assert wrong.status_code == 400 and "indicators" in wrong.json()
    made = client.post(f"/api/v1/cases/{case_id}/assessments/", {
        "indicator_set": adult.pk, "indicators": [
            {"id": "adult_labour.coercion_at_destination.1"},
            {"id": "adult_labour.coercion_at_destination.2", "source": "observation"}]},
        format="json")
    assert made.status_code == 201
    dims = {d["id"]: d["positive"] for d in made.json()["result"]["dimensions"]}
    assert dims["coercion_at_destination"] is True
    decided = client.post(f"/api/v1/cases/{case_id}/decisions/", {
        "assessment": made.json()["id"], "status": "PossibleVictimOfTrafficking"}, format="json")
    assert decided.status_code == 201 and decided.json()["decision_org"] == "NGO"
    sets = client.get("/api/v1/indicator-sets/").json()["results"]
    assert any(s["uncertain"] for s in sets)
