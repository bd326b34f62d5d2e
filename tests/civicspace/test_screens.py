"""The web screens that close the gaps of the civic-space monitor: several affected organisations
and sources in the incident form, the taxonomy screen, editing consultations and assessments, and
the public language switcher."""

import pytest

from bridgeway.civicspace.models import Incident, IncidentVersion
from bridgeway.protection.models import AuditEvent
from tests.civicspace.conftest import type_id
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def _rows(prefix, rows, total=3):
    body = {f"{prefix}-TOTAL_FORMS": str(max(total, len(rows))), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            body[f"{prefix}-{i}-{key}"] = value
    return body


def _incident_body(cast, affected, sources, **kw):
    body = {"organisation": cast.org_a.pk, "network": cast.network.pk, "title": "Raid",
            "started_on": "2026-03-05", "country": "MD", "actors": ["media"],
            "types": [type_id("smear_campaign")], "description": "What happened.",
            "severity": 2, "visibility": "network",
            **_rows("affected", affected), **_rows("sources", sources)}
    body.update(kw)
    return body


def _counts():
    return (Incident.objects.count(), IncidentVersion.objects.count(), AuditEvent.objects.count())


def test_report_form_takes_several_affected_organisations_and_sources(cast):
    response = signed_in(cast.caseworker_a).post("/civic-space/report/", _incident_body(
        cast,
        affected=[{"organisation": cast.org_b.pk, "description": "a shelter", "anonymous": "on"},
                  {"description": "a women's rights CSO in the north", "anonymous": "on"},
                  {"organisation": cast.org_a.pk}],
        sources=[{"url": "https://example.org/1", "title": "News", "is_public": "on"},
                 {"url": "https://example.org/2", "title": "Statement"}]))
    assert response.status_code == 302, [line for line in response.content.decode().splitlines() if "error" in line]
    incident = Incident.objects.get()
    affected = list(incident.affected.order_by("pk"))
    assert [(a.organisation_id, a.description, a.anonymous) for a in affected] == [
        (cast.org_b.pk, "a shelter", True), (None, "a women's rights CSO in the north", True),
        (cast.org_a.pk, "", False)]
    assert [(s.url, s.title, s.is_public) for s in incident.sources.order_by("pk")] == [
        ("https://example.org/1", "News", True), ("https://example.org/2", "Statement", False)]
    assert AuditEvent.objects.filter(action="civicspace.incident.reported",
                                     object_id=str(incident.pk)).exists()


def test_report_and_add_rows_goes_to_edit_with_three_empty_rows(cast):
    client = signed_in(cast.caseworker_a)
    response = client.post("/civic-space/report/", _incident_body(
        cast, affected=[{"description": "one", "anonymous": "on"}],
        sources=[{"url": "https://example.org/1", "title": "One"}], add_rows="1"))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/civic-space/incidents/{incident.pk}/edit/")
    page = client.get(response["Location"]).content.decode()
    # One filled row and three empty ones for each list.
    assert 'name="affected-TOTAL_FORMS" value="4"' in page
    assert 'name="sources-TOTAL_FORMS" value="4"' in page
    body = _incident_body(cast, affected=[{"description": "one", "anonymous": "on"},
                                          {"description": "two"}, {"description": "three"},
                                          {"description": "four"}],
                          sources=[{"url": "https://example.org/1", "title": "One"},
                                   {"url": "https://example.org/2", "title": "Two"}])
    response = client.post(f"/civic-space/incidents/{incident.pk}/edit/", body)
    assert response.status_code == 302
    assert incident.affected.count() == 4 and incident.sources.count() == 2
    version = incident.versions.first()
    assert version.action == "edited" and set(version.changed_fields) == {"affected", "sources"}
    event = AuditEvent.objects.filter(action="civicspace.incident.edited").get()
    assert set(event.payload["fields"]) == {"affected", "sources"}


@pytest.mark.parametrize("affected,sources,message", [
    ([], [{"title": "No link"}], "Sources: Each source needs a link."),
    ([], [{"url": "not a link", "title": "x"}], "Enter a valid URL."),
    ([{"anonymous": ""}, {"organisation": "999999"}], [], "Select a valid choice."),
])
def test_bad_rows_name_the_field_and_write_nothing(cast, affected, sources, message):
    client = signed_in(cast.caseworker_a)
    before = _counts()
    response = client.post("/civic-space/report/", _incident_body(
        cast, affected=affected, sources=sources))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_bad_rows_on_edit_keep_the_incident_unchanged(cast, report):
    incident = report()
    client = signed_in(cast.caseworker_a)
    before = (_counts(), list(incident.affected.values_list("description", flat=True)),
              list(incident.sources.values_list("url", flat=True)))
    response = client.post(
        f"/civic-space/incidents/{incident.pk}/edit/", _incident_body(
            cast, affected=[{"description": "new one"}], sources=[{"title": "no link"}]))
    assert response.status_code == 400
    assert "Sources: Each source needs a link." in response.content.decode()
    after = (_counts(), list(incident.affected.values_list("description", flat=True)),
             list(incident.sources.values_list("url", flat=True)))
    assert after == before


def test_who_may_edit_the_rows(cast, report):
    incident = report()
    body = _incident_body(cast, affected=[{"description": "x"}], sources=[])
    assert signed_in(cast.caseworker_b).post(
        f"/civic-space/incidents/{incident.pk}/edit/", body).status_code == 404
    assert signed_in(cast.coordinator).get(
        f"/civic-space/incidents/{incident.pk}/edit/").status_code == 200
    assert signed_in(cast.coordinator).post(
        f"/civic-space/incidents/{incident.pk}/edit/", body).status_code == 302
