from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bridgeway.civicspace import services
from bridgeway.civicspace.models import Consultation, CountryAssessment, Incident
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(cast):
    return services.consultation_add(network=cast.network, actor=cast.coordinator, country="MD",
                                     title="National action plan 2026–2030", kind="nap",
                                     stage="closed", opened_on=date(2026, 1, 10),
                                     url="https://gov.example/nap")


def test_exclusion_becomes_incident_in_one_step(cast, consultation):
    p = services.participation_set(consultation=consultation, actor=cast.supervisor_a,
                                   organisation=cast.org_a, invited="no", submitted="no",
                                   method="", feedback="unknown", evidence="No invitation sent.")
    response = signed_in(cast.supervisor_a).post(f"/civic-space/participations/{p.pk}/incident/")
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{incident.pk}/")
    assert incident.status == "reported" and incident.visibility == "organisation"
    assert [t.code for t in incident.types.all()] == ["excluded_consultation"]
    assert incident.affected.get().anonymous
    p.refresh_from_db()
    assert p.incident == incident
    with pytest.raises(ValidationError):
        services.exclusion_to_incident(participation=p, actor=cast.supervisor_a)
    assert Incident.objects.count() == 1


def test_participation_rules(cast, consultation):
    with pytest.raises(PermissionDenied):
        services.participation_set(consultation=consultation, actor=cast.caseworker_b,
                                   organisation=cast.org_a, invited="yes", submitted="yes",
                                   method="written", feedback="partly")
    p = services.participation_set(consultation=consultation, actor=cast.coordinator,
                                   organisation=cast.hidden, invited="yes", submitted="yes",
                                   method="hearing", feedback="yes")
    with pytest.raises(ValidationError):
        services.exclusion_to_incident(participation=p, actor=cast.coordinator)
    assert signed_in(cast.caseworker_b).get(
        f"/civic-space/consultations/{consultation.pk}/").status_code == 404
    page = signed_in(cast.supervisor_a).get(f"/civic-space/consultations/{consultation.pk}/")
    assert page.status_code == 200 and "Hidden CSO" in page.content.decode()


def test_consultation_and_assessment_bad_input(cast):
    with pytest.raises(ValidationError) as err:
        services.consultation_add(network=cast.network, actor=cast.coordinator, country="QQ",
                                  title="x", kind="law", stage="open",
                                  opened_on=date(2026, 2, 1), closes_on=date(2026, 1, 1))
    assert {"country", "closes_on"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        services.assessment_record(network=cast.network, actor=cast.coordinator, country="MD",
                                   period_start=timezone.localdate() + timedelta(days=9),
                                   period_end=None, rating="open", trend="stable",
                                   justification="x")
    assert "period_start" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.assessment_record(network=cast.network, actor=cast.caseworker_a, country="MD",
                                   period_start=date(2025, 1, 1), period_end=None, rating="open",
                                   trend="stable", justification="x")
    assert Consultation.objects.count() == 0 and CountryAssessment.objects.count() == 0


def test_assessment_history_shows_on_public_country_page(cast, client):
    services.assessment_record(network=cast.network, actor=cast.coordinator, country="MD",
                               period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                               rating="narrowed", trend="worsening",
                               justification="Registration rules tightened.")
    page = client.get("/public/civic-space/MD/").content.decode()
    assert "Narrowed" in page and "Registration rules tightened." in page


def test_api(cast, consultation):
    client = signed_in(cast.coordinator)
    response = client.get("/api/v1/civic-space/consultations/")
    assert response.status_code == 200 and response.json()["results"][0]["id"] == consultation.pk
    response = client.post(f"/api/v1/civic-space/consultations/{consultation.pk}/participations/",
                           {"organisation": cast.org_a.pk, "invited": "yes", "submitted": "yes",
                            "method": "written", "feedback": "no"},
                           content_type="application/json")
    assert response.status_code == 201
    pid = response.json()["id"]
    response = client.post(
        f"/api/v1/civic-space/consultations/{consultation.pk}/participations/{pid}/incident/")
    assert response.status_code == 201
    assert signed_in(cast.caseworker_b).get(
        "/api/v1/civic-space/consultations/").json()["results"] == []
    response = client.post("/api/v1/civic-space/assessments/", {
        "network": cast.network.pk, "country": "MD", "period_start": "2025-01-01",
        "rating": "obstructed", "trend": "stable", "justification": "x"},
        content_type="application/json")
    assert response.status_code == 201
    response = client.post("/api/v1/civic-space/restriction-types/", {
        "network": cast.network.pk, "family": "finance", "label": "Bank accounts frozen"},
        content_type="application/json")
    assert response.status_code == 201
