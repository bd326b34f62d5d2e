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


# --- taxonomy ---------------------------------------------------------------------------------

def test_taxonomy_screen_only_for_network_admins(cast, other_network):
    for who in (cast.caseworker_a, cast.admin_a, cast.caseworker_b, cast.outsider):
        assert signed_in(who).get("/civic-space/taxonomy/").status_code == 404
    page = signed_in(cast.coordinator).get("/civic-space/taxonomy/").content.decode()
    assert "Regulatory environment" in page and "Burdensome registration" in page


def test_network_admin_adds_a_type_in_the_ui(cast, other_network):
    from bridgeway.civicspace.models import RestrictionType
    from tests.factories import MembershipFactory, with_totp

    admin = MembershipFactory(organisation=cast.network, role="org_admin").user
    with_totp(admin)
    client = signed_in(admin)
    response = client.post("/civic-space/taxonomy/", {
        "network": cast.network.pk, "family": "safe_space", "label": "Tax raids",
        "description": "Repeated tax inspections aimed at a CSO."})
    assert response.status_code == 302 and response["Location"] == "/civic-space/taxonomy/"
    rtype = RestrictionType.objects.get(network=cast.network)
    assert (rtype.label, rtype.family, rtype.description) == (
        "Tax raids", "safe_space", "Repeated tax inspections aimed at a CSO.")
    event = AuditEvent.objects.get(action="civicspace.type.added")
    assert event.actor == admin and event.object_id == str(rtype.pk)
    assert "Tax raids" in client.get("/civic-space/taxonomy/").content.decode()
    # The other network's coordinator does not see it.
    assert "Tax raids" not in signed_in(other_network[1]).get(
        "/civic-space/taxonomy/").content.decode()


@pytest.mark.parametrize("body,field,message", [
    ({"family": "safe_space", "label": ""}, "label", "This field is required."),
    ({"family": "aliens", "label": "X"}, "family", "Select a valid choice."),
    ({"family": "safe_space", "label": "Burdensome registration", "dup": True}, "label",
     "This network already has that type."),
])
def test_bad_type_input_names_the_field_and_writes_nothing(cast, body, field, message):
    from bridgeway.civicspace import services
    from bridgeway.civicspace.models import RestrictionType

    if body.pop("dup", False):
        services.restriction_type_add(network=cast.network, actor=cast.coordinator,
                                      family="regulatory", label="Burdensome registration")
    client = signed_in(cast.coordinator)
    before = (RestrictionType.objects.count(), AuditEvent.objects.count())
    response = client.post("/civic-space/taxonomy/", {"network": cast.network.pk, **body})
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert message in response.content.decode()
    assert (RestrictionType.objects.count(), AuditEvent.objects.count()) == before


def test_deactivate_a_network_type(cast, report, other_network):
    from bridgeway.civicspace import queries, services

    rtype = services.restriction_type_add(network=cast.network, actor=cast.coordinator,
                                          family="safe_space", label="Tax raids")
    incident = report(type_ids=[rtype.pk])
    url = f"/civic-space/taxonomy/{rtype.pk}/deactivate/"
    assert signed_in(other_network[1]).post(url).status_code == 404
    assert signed_in(cast.caseworker_a).post(url).status_code == 403
    rtype.refresh_from_db()
    assert rtype.is_active
    assert signed_in(cast.coordinator).post(url).status_code == 302
    rtype.refresh_from_db()
    assert not rtype.is_active and rtype not in queries.types_for_network(cast.network.pk)
    assert AuditEvent.objects.filter(action="civicspace.type.deactivated",
                                     object_id=str(rtype.pk), actor=cast.coordinator).exists()
    # The incident keeps it, and can still be edited with it.
    assert list(incident.types.all()) == [rtype]
    page = signed_in(cast.caseworker_a).get(f"/civic-space/incidents/{incident.pk}/edit/")
    assert "Tax raids" in page.content.decode()
    response = signed_in(cast.caseworker_a).post(
        f"/civic-space/incidents/{incident.pk}/edit/",
        _incident_body(cast, affected=[], sources=[], types=[rtype.pk]))
    assert response.status_code == 302
    # Seeded types cannot be deactivated.
    before = AuditEvent.objects.count()
    response = signed_in(cast.coordinator).post(
        f"/civic-space/taxonomy/{type_id('harassment')}/deactivate/", follow=True)
    assert "the seeded types stay" in response.content.decode()
    assert AuditEvent.objects.count() == before + 1  # the sign-in only


# --- consultations and assessments ---------------------------------------------------------------

@pytest.fixture
def consultation(cast):
    from datetime import date

    from bridgeway.civicspace import services

    return services.consultation_add(network=cast.network, actor=cast.coordinator, country="MD",
                                     title="National action plan", kind="nap", stage="open",
                                     opened_on=date(2026, 1, 10))


@pytest.fixture
def assessment(cast):
    from datetime import date

    from bridgeway.civicspace import services

    return services.assessment_record(network=cast.network, actor=cast.coordinator, country="MD",
                                      period_start=date(2025, 1, 1), period_end=None,
                                      rating="narrowed", trend="stable", justification="Because.")


def _consultation_body(**kw):
    body = {"country": "MD", "title": "National action plan 2026", "kind": "nap",
            "stage": "closed", "opened_on": "2026-01-10", "closes_on": "2026-02-10", "url": ""}
    body.update(kw)
    return body


def test_coordinator_edits_a_consultation_with_history(cast, consultation):
    client = signed_in(cast.coordinator)
    assert "Edit the consultation" in client.get(
        f"/civic-space/consultations/{consultation.pk}/").content.decode()
    response = client.post(f"/civic-space/consultations/{consultation.pk}/edit/",
                           _consultation_body())
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.title, consultation.stage, str(consultation.closes_on)) == (
        "National action plan 2026", "closed", "2026-02-10")
    event = AuditEvent.objects.get(action="civicspace.consultation.edited")
    assert event.actor == cast.coordinator
    assert set(event.payload["fields"]) == {"title", "stage", "closes_on"}
    page = client.get(f"/civic-space/consultations/{consultation.pk}/edit/").content.decode()
    assert "Consultation edited" in page and "Closes on" in page  # in words, not codes


def test_who_may_edit_a_consultation(cast, consultation, other_network):
    url = f"/civic-space/consultations/{consultation.pk}/edit/"
    assert signed_in(other_network[1]).get(url).status_code == 404
    assert signed_in(cast.caseworker_b).get(url).status_code == 404
    # Members of the network see the consultation but may not edit it.
    assert signed_in(cast.caseworker_a).get(url).status_code == 403
    assert signed_in(cast.admin_a).post(url, _consultation_body()).status_code == 403
    assert "Edit the consultation" not in signed_in(cast.caseworker_a).get(
        f"/civic-space/consultations/{consultation.pk}/").content.decode()
    consultation.refresh_from_db()
    assert consultation.stage == "open"


@pytest.mark.parametrize("kw,field,message", [
    ({"title": ""}, "title", "This field is required."),
    ({"closes_on": "2025-01-01"}, "closes_on", "The end is before the start."),
    ({"stage": "nonsense"}, "stage", "Select a valid choice."),
    ({"opened_on": "2999-01-01"}, "opened_on", "The date is in the future."),
])
def test_bad_consultation_edit_names_the_field_and_writes_nothing(cast, consultation, kw, field,
                                                                  message):
    client = signed_in(cast.coordinator)
    before = AuditEvent.objects.count()
    response = client.post(f"/civic-space/consultations/{consultation.pk}/edit/",
                           _consultation_body(**kw))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body and message in body
    consultation.refresh_from_db()
    assert (consultation.title, consultation.stage) == ("National action plan", "open")
    assert AuditEvent.objects.count() == before


def _assessment_body(**kw):
    body = {"period_start": "2025-01-01", "period_end": "2025-12-31", "rating": "obstructed",
            "trend": "worsening", "justification": "Foreign-agent law adopted."}
    body.update(kw)
    return body


def test_coordinator_edits_an_assessment_with_history(cast, assessment):
    client = signed_in(cast.coordinator)
    assert f"/civic-space/assessments/{assessment.pk}/edit/" in client.get(
        "/civic-space/countries/MD/").content.decode()
    response = client.post(f"/civic-space/assessments/{assessment.pk}/edit/", _assessment_body())
    assert response.status_code == 302 and response["Location"] == "/civic-space/countries/MD/"
    assessment.refresh_from_db()
    assert (assessment.rating, assessment.trend, str(assessment.period_end)) == (
        "obstructed", "worsening", "2025-12-31")
    event = AuditEvent.objects.get(action="civicspace.assessment.edited")
    assert event.actor == cast.coordinator and set(event.payload["fields"]) == {
        "period_end", "rating", "trend", "justification"}
    page = client.get(f"/civic-space/assessments/{assessment.pk}/edit/").content.decode()
    assert "Country assessment edited" in page and "Period end" in page


def test_who_may_edit_an_assessment(cast, assessment, other_network):
    url = f"/civic-space/assessments/{assessment.pk}/edit/"
    assert signed_in(other_network[1]).get(url).status_code == 404
    assert signed_in(cast.outsider).get(url).status_code == 404
    assert signed_in(cast.caseworker_a).post(url, _assessment_body()).status_code == 403
    assert f"/civic-space/assessments/{assessment.pk}/edit/" not in signed_in(
        cast.caseworker_a).get("/civic-space/countries/MD/").content.decode()
    assessment.refresh_from_db()
    assert assessment.rating == "narrowed"


@pytest.mark.parametrize("kw,field,message", [
    ({"justification": ""}, "justification", "This field is required."),
    ({"period_end": "2024-01-01"}, "period_end", "The end is before the start."),
    ({"rating": "great"}, "rating", "Select a valid choice."),
    ({"period_start": "2024-01-01"}, "period_start",
     "This network already assessed this country for that period."),
])
def test_bad_assessment_edit_names_the_field_and_writes_nothing(cast, assessment, kw, field,
                                                                message):
    from datetime import date

    from bridgeway.civicspace import services

    services.assessment_record(network=cast.network, actor=cast.coordinator, country="MD",
                               period_start=date(2024, 1, 1), period_end=None, rating="open",
                               trend="stable", justification="Earlier.")
    client = signed_in(cast.coordinator)
    before = AuditEvent.objects.count()
    response = client.post(f"/civic-space/assessments/{assessment.pk}/edit/",
                           _assessment_body(**kw))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body and message in body
    assessment.refresh_from_db()
    assert (assessment.rating, assessment.justification) == ("narrowed", "Because.")
    assert AuditEvent.objects.count() == before


# --- public language switcher --------------------------------------------------------------------

def test_public_language_switcher_sets_no_cookie_and_keeps_no_state(cast, report, client):
    from tests.civicspace.test_incidents import publish

    shown = publish(report(title="Published incident"), cast.coordinator)
    for url in ["/public/civic-space/", "/public/civic-space/MD/",
                f"/public/civic-space/incidents/{shown.pk}/"]:
        response = client.get(url + "?lang=uk")
        assert response.status_code == 200, url
        assert not response.cookies and not client.cookies, url
        assert response["Content-Language"] == "uk"
        assert "Accept-Language" in response["Vary"]
        body = response.content.decode()
        assert '<html lang="uk">' in body and "Перейти до вмісту" in body
        # The switcher offers every language on the same page, and links keep the choice.
        for code in ("en", "uk", "ro", "fr"):
            assert f'href="{url}?lang={code}"' in body
        assert "?lang=uk" in body.split("<main", 1)[1] or url.endswith(f"{shown.pk}/")
    # Nothing is remembered: the next request without ?lang is in the browser's language.
    response = client.get("/public/civic-space/")
    assert response["Content-Language"] == "en" and "Skip to content" in response.content.decode()
    assert not response.cookies
    # An unknown language is ignored.
    response = client.get("/public/civic-space/?lang=xx")
    assert response.status_code == 200 and response["Content-Language"] == "en"
    assert client.get("/public/civic-space/feed.atom?lang=uk").content.decode().count(
        'xml:lang="uk"') == 1
