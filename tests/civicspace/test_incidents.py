"""Incidents: the workflow and who may move it, visibility everywhere, bad input, exports."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bridgeway.civicspace import queries, services
from bridgeway.civicspace.models import Incident, IncidentVersion
from bridgeway.core.spreadsheets import safe_cell
from bridgeway.protection.models import AuditEvent
from tests.civicspace.conftest import incident_data, type_id
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def publish(incident, who):
    services.incident_transition(incident=incident, actor=who, to="under_review")
    services.incident_transition(incident=incident, actor=who, to="verified")
    return services.incident_transition(incident=incident, actor=who, to="published")


def test_member_reports_coordinator_reviews_verifies_publishes(cast, report):
    incident = report()
    assert incident.status == "reported" and incident.network == cast.network
    incident = publish(incident, cast.coordinator)
    assert incident.status == "published" and incident.published_at
    actions = list(AuditEvent.objects.filter(object_id=str(incident.pk)).order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["civicspace.incident.reported", "civicspace.incident.review_started",
                       "civicspace.incident.verified", "civicspace.incident.published"]
    assert IncidentVersion.objects.filter(incident=incident).count() == 4


@pytest.mark.parametrize("to", ["under_review", "verified", "rejected"])
def test_caseworker_and_other_network_coordinator_cannot_transition(cast, report, other_network, to):
    incident = report()
    _net, foreign = other_network
    for who in (cast.caseworker_a, cast.admin_b, foreign):
        with pytest.raises(PermissionDenied):
            services.incident_transition(incident=incident, actor=who, to=to, reason="x")
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_coordinator_of_another_network_cannot_publish_via_api(cast, report, other_network):
    incident = report()
    services.incident_transition(incident=incident, actor=cast.coordinator, to="verified")
    _net, foreign = other_network
    # The foreign coordinator cannot even see a network-only incident: 404.
    response = signed_in(foreign).post(f"/api/v1/civic-space/incidents/{incident.pk}/status/",
                                       {"status": "published"}, content_type="application/json")
    assert response.status_code == 404
    # A caseworker of the reporting organisation sees it but may not publish: 403.
    response = signed_in(cast.caseworker_a).post(
        f"/api/v1/civic-space/incidents/{incident.pk}/status/", {"status": "published"},
        content_type="application/json")
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "verified"


def test_publish_needs_verification_and_a_source(cast, report):
    incident = report(sources=[])
    with pytest.raises(ValidationError) as err:
        services.incident_transition(incident=incident, actor=cast.coordinator, to="published")
    assert "Verify the incident before publishing it." in err.value.message_dict["status"]
    with pytest.raises(ValidationError) as err:
        services.incident_transition(incident=incident, actor=cast.coordinator, to="verified")
    assert "sources" in err.value.message_dict
    incident.refresh_from_db()
    assert incident.status == "reported"
    response = signed_in(cast.coordinator).post(
        f"/api/v1/civic-space/incidents/{incident.pk}/status/", {"status": "published"},
        content_type="application/json")
    assert response.status_code == 400 and "status" in response.json()


def test_reject_needs_a_reason(cast, report):
    incident = report()
    with pytest.raises(ValidationError) as err:
        services.incident_transition(incident=incident, actor=cast.coordinator, to="rejected")
    assert "reason" in err.value.message_dict
    incident = services.incident_transition(incident=incident, actor=cast.coordinator,
                                            to="rejected", reason="Not verifiable")
    assert incident.status == "rejected"
    with pytest.raises(ValidationError):
        services.incident_transition(incident=incident, actor=cast.coordinator, to="verified")


@pytest.mark.parametrize("field,kw", [
    ("started_on", {"started_on": timezone.localdate() + timedelta(days=3)}),
    ("ended_on", {"ended_on": timezone.localdate() - timedelta(days=400)}),
    ("country", {"country": "XX"}),
    ("types", {"type_ids": []}),
    ("actors", {"actors": ["aliens"]}),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, field, kw):
    before = (Incident.objects.count(), IncidentVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as err:
        services.incident_report(actor=cast.caseworker_a, reporting_org=cast.org_a,
                                 network=cast.network, data=incident_data(**kw))
    assert field in err.value.message_dict
    after = (Incident.objects.count(), IncidentVersion.objects.count(), AuditEvent.objects.count())
    assert before == after


def test_bad_input_through_the_api_and_the_form(cast):
    client = signed_in(cast.caseworker_a)
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    body = {"title": "x", "started_on": future, "country": "ZZ", "actors": ["media"],
            "types": [type_id("smear_campaign")], "description": "y"}
    response = client.post("/api/v1/civic-space/incidents/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["started_on"] == ["The date is in the future."]
    assert "Unknown country ZZ" in response.json()["country"][0]
    response = client.post("/civic-space/report/", {
        "organisation": cast.org_a.pk, "network": cast.network.pk, "title": "x",
        "started_on": "2026-03-05", "ended_on": "2026-03-01", "country": "MD",
        "actors": ["media"], "types": [type_id("smear_campaign")], "description": "y",
        "severity": 2, "visibility": "network"})
    assert response.status_code == 400
    assert "The end is before the start." in response.content.decode()
    assert Incident.objects.count() == 0


def test_private_incident_stays_with_reporting_org_and_coordinators(cast, report, other_network):
    incident = report(visibility="organisation")
    _net, foreign = other_network
    assert incident in queries.incidents_visible_to(cast.supervisor_a)
    assert incident in queries.incidents_visible_to(cast.coordinator)
    for who in (cast.caseworker_b, foreign, cast.agency_poc, cast.outsider):
        assert incident not in queries.incidents_visible_to(who)
        assert signed_in(who).get(f"/civic-space/incidents/{incident.pk}/").status_code == 404
        assert signed_in(who).get(
            f"/api/v1/civic-space/incidents/{incident.pk}/").status_code == 404
        assert incident.title not in signed_in(who).get("/civic-space/export.csv").content.decode()
    # Cannot be published while it is private.
    services.incident_transition(incident=incident, actor=cast.coordinator, to="verified")
    with pytest.raises(ValidationError) as err:
        services.incident_transition(incident=incident, actor=cast.coordinator, to="published")
    assert "visibility" in err.value.message_dict


def test_network_visibility_reaches_members_only_after_publication(cast, report):
    from tests.factories import MembershipFactory

    member = MembershipFactory(organisation=cast.hidden, role="caseworker").user
    incident = report(visibility="network")
    assert incident not in queries.incidents_visible_to(member)
    publish(incident, cast.coordinator)
    assert incident in queries.incidents_visible_to(member)
    assert incident not in queries.incidents_visible_to(cast.caseworker_b)
    assert signed_in(cast.outsider).get("/public/civic-space/MD/").content.decode().count(
        incident.title) == 0


def test_edit_keeps_versions_with_changed_fields(cast, report):
    incident = report()
    services.incident_edit(incident=incident, actor=cast.caseworker_a,
                           data=incident_data(title="Registration refused twice", region="Bălți"))
    version = IncidentVersion.objects.filter(incident=incident).first()
    assert version.action == "edited" and set(version.changed_fields) == {"title", "region"}
    assert AuditEvent.objects.filter(action="civicspace.incident.edited").exists()
    page = signed_in(cast.caseworker_a).get(f"/civic-space/incidents/{incident.pk}/")
    assert "Title, Region" in page.content.decode()  # the fields changed, in words
    publish(incident, cast.coordinator)
    with pytest.raises(PermissionDenied):
        services.incident_edit(incident=incident, actor=cast.caseworker_a, data=incident_data())


def test_exports_respect_visibility_and_anonymity(cast, report, client):
    public = publish(report(title="=HYPERLINK(1)"), cast.coordinator)
    named = publish(report(title="Named one", affected=[services.Affected(
        organisation_id=cast.hidden.pk, description="a CSO", anonymous=True)]), cast.coordinator)
    report(title="Still under review")
    for fmt in ("csv", "json", "xlsx"):
        response = client.get(f"/public/civic-space/export.{fmt}")
        assert response.status_code == 200 and not response.cookies
        if fmt == "xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(response.content)).active
            text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
        else:
            text = response.content.decode()
        assert "Still under review" not in text and "Hidden CSO" not in text
        assert "Named one" in text
    rows = list(csv.DictReader(io.StringIO(
        client.get("/public/civic-space/export.csv").content.decode())))
    assert {r["title"] for r in rows} == {"'=HYPERLINK(1)", "Named one"}
    data = json.loads(client.get("/public/civic-space/export.json").content)
    assert {i["id"] for i in data["incidents"]} == {str(public.pk), str(named.pk)}
    assert safe_cell("@x") == "'@x" and safe_cell("\tx") == "'\tx" and safe_cell("ok") == "ok"
    # The reporting organisation's own export includes the incident under review.
    own = signed_in(cast.caseworker_a).get("/civic-space/export.csv?country=MD").content.decode()
    assert "Still under review" in own


def test_public_pages_show_published_only_set_no_cookies_and_cache(cast, report, client):
    shown = publish(report(title="Published incident", affected=[services.Affected(
        organisation_id=cast.hidden.pk, description="a shelter", anonymous=True)]),
        cast.coordinator)
    report(title="Reported incident")
    for url in ["/public/civic-space/", "/public/civic-space/MD/",
                f"/public/civic-space/incidents/{shown.pk}/", "/public/civic-space/feed.atom"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert "public" in response["Cache-Control"]
        body = response.content.decode()
        assert "Reported incident" not in body and "Hidden CSO" not in body
        assert "<script" not in body
    assert "Published incident" in client.get("/public/civic-space/MD/").content.decode()
    feed = client.get("/public/civic-space/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "a shelter" in feed.content.decode()
    assert client.get("/public/civic-space/incidents/{}/".format(
        Incident.objects.get(title="Reported incident").pk)).status_code == 404


def test_network_admin_extends_taxonomy(cast, other_network):
    rtype = services.restriction_type_add(network=cast.network, actor=cast.coordinator,
                                          family="safe_space", label="Tax raids")
    assert rtype.label == "Tax raids"
    assert rtype in queries.types_for_network(cast.network.pk)
    assert rtype not in queries.types_for_network(other_network[0].pk)
    with pytest.raises(PermissionDenied):
        services.restriction_type_add(network=cast.network, actor=cast.caseworker_a,
                                      family="safe_space", label="X")
    # Other networks cannot use it.
    with pytest.raises(ValidationError) as err:
        services.incident_report(actor=cast.admin_b, reporting_org=cast.org_b,
                                 network=other_network[0],
                                 data=incident_data(type_ids=[rtype.pk]))
    assert "types" in err.value.message_dict


def test_screens_for_each_role(cast, report):
    incident = report()
    assert signed_in(cast.caseworker_a).get("/civic-space/report/").status_code == 200
    assert signed_in(cast.coordinator).get("/civic-space/review/").status_code == 200
    assert incident.title in signed_in(cast.coordinator).get("/civic-space/review/").content.decode()
    assert signed_in(cast.caseworker_a).get("/civic-space/review/").status_code == 404
    assert signed_in(cast.caseworker_b).get("/civic-space/report/").status_code == 404
    page = signed_in(cast.coordinator).get("/civic-space/countries/MD/").content.decode()
    assert "<svg" in page and "<table" in page
    assert "Civic space" in signed_in(cast.caseworker_a).get("/").content.decode()
    assert "Civic space" not in signed_in(cast.caseworker_b).get("/").content.decode()
    response = signed_in(cast.coordinator).post(f"/civic-space/incidents/{incident.pk}/status/",
                                                {"to": "published"})
    assert response.status_code == 400
    assert "Verify the incident before publishing it." in response.content.decode()


def test_private_document_is_encrypted_and_only_for_reporter_and_coordinators(cast, report,
                                                                             settings, tmp_path):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bridgeway.civicspace.models import IncidentDocument

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    incident = publish(report(), cast.coordinator)
    response = signed_in(cast.caseworker_a).post(
        f"/civic-space/incidents/{incident.pk}/documents/",
        {"file": SimpleUploadedFile("threat-letter.txt", b"Secret threat letter text"),
         "title": "Letter"})
    assert response.status_code == 302
    doc = IncidentDocument.objects.get()
    with default_storage.open(doc.storage_name, "rb") as fh:
        assert b"Secret threat letter" not in fh.read()
    url = f"/civic-space/incidents/{incident.pk}/documents/{doc.pk}/"
    got = signed_in(cast.coordinator).get(url)
    assert got.status_code == 200 and got.content == b"Secret threat letter text"
    assert "threat-letter.txt" in got["Content-Disposition"]
    # The incident is public, its documents are not.
    from tests.factories import MembershipFactory

    member = MembershipFactory(organisation=cast.hidden, role="researcher").user
    assert signed_in(member).get(url).status_code == 404
    assert "Secret" not in signed_in(member).get(
        f"/civic-space/incidents/{incident.pk}/").content.decode()
    bad = signed_in(cast.caseworker_a).post(
        f"/civic-space/incidents/{incident.pk}/documents/",
        {"file": SimpleUploadedFile("x.html", b"<script>alert(1)</script>")})
    assert bad.status_code == 302 and IncidentDocument.objects.count() == 1
