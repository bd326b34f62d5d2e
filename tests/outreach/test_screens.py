"""The outreach screens: who may open them (an outsider or another organisation gets 404),
the forms' messages, the conflict page, and refusal → incident in two clicks."""

import pytest

from bridgeway.civicspace.models import Incident
from bridgeway.outreach import services
from bridgeway.outreach.codes import Kind
from bridgeway.outreach.models import AccessRequest, Activity
from tests.conftest import signed_in
from tests.outreach.conftest import activity_values

pytestmark = pytest.mark.django_db


def test_caseworker_records_an_activity_through_the_form(cast):
    client = signed_in(cast.caseworker_a)
    assert client.get("/outreach/activities/new/").status_code == 200
    body = {**activity_values(languages=["ro"]), "organisation": cast.org_a.pk}
    response = client.post("/outreach/activities/new/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Behind the central market" in page and "Seasonal workers" in page
    assert activity.reached_total == 30


def test_the_form_names_the_field_when_the_reach_does_not_add_up(cast):
    client = signed_in(cast.caseworker_a)
    body = {**activity_values(reached_female=3), "organisation": cast.org_a.pk}
    response = client.post("/outreach/activities/new/", body)
    assert response.status_code == 200
    assert "People reached by sex add up to 13, but the total is 30." in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("who", ["caseworker_b", "outsider", "agency_poc", "coordinator"])
def test_others_get_404_on_a_record(cast, activity, refused, who):
    client = signed_in(getattr(cast, who))
    for url in (f"/outreach/activities/{activity.pk}/", f"/outreach/activities/{activity.pk}/edit/",
                f"/outreach/access/{refused.pk}/", f"/outreach/access/{refused.pk}/incident/"):
        assert client.get(url).status_code == 404, (who, url)


@pytest.mark.parametrize("who", ["caseworker_b", "outsider", "agency_poc"])
def test_others_cannot_open_the_forms_or_lists(cast, who):
    client = signed_in(getattr(cast, who))
    if who == "caseworker_b":  # works elsewhere: sees an empty list of their own
        assert client.get("/outreach/activities/").status_code == 200
        return
    for url in ("/outreach/activities/", "/outreach/activities/new/", "/outreach/facilities/",
                "/outreach/network/"):
        assert client.get(url).status_code == 404, (who, url)


def test_the_supervisor_sees_the_caseworkers_records(cast, activity):
    assert signed_in(cast.supervisor_a).get(
        f"/outreach/activities/{activity.pk}/").status_code == 200


def test_a_refused_access_becomes_an_incident_in_two_clicks_linked_both_ways(cast, refused):
    client = signed_in(cast.caseworker_a)
    page = client.get(f"/outreach/access/{refused.pk}/").content.decode()
    assert f"/outreach/access/{refused.pk}/incident/" in page
    form = client.get(f"/outreach/access/{refused.pk}/incident/")  # click 1: prefilled
    html = form.content.decode()
    assert "Reception centre Nord" in html and "Migration Bureau" in html
    assert "Ivanov" not in html  # who was met stays on the visit
    ctx = form.context["form"]
    body = {name: ctx[name].value() for name in ctx.fields}
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post(f"/outreach/access/{refused.pk}/incident/", body)  # click 2
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert [t.code for t in incident.types.all()] == ["denied_facility_access"]
    assert incident.country == "MD" and incident.actors == ["law_enforcement"]
    assert AccessRequest.objects.get().incident_id == incident.pk
    incident_page = client.get(response["Location"]).content.decode()
    assert f"/outreach/access/{refused.pk}/" in incident_page
    # A second time is refused: one refusal, one incident.
    client.post(f"/outreach/access/{refused.pk}/incident/", body)
    assert Incident.objects.count() == 1


def test_a_postponed_training_can_become_an_incident(cast):
    t = services.record_create(kind=Kind.TRAINING, actor=cast.caseworker_a, org=cast.org_a,
                               values={"institution_type": "border_guard", "country": "MD",
                                       "topic": "Screening at the border",
                                       "planned_on": "2026-02-01", "status": "postponed",
                                       "status_reason": "The ministry withdrew its agreement."})
    incident_id = services.incident_from_record(
        kind=Kind.TRAINING, record=t, actor=cast.caseworker_a, network=cast.network,
        **{k: v for k, v in services.incident_prefill(Kind.TRAINING, t).items()})
    assert [x.code for x in Incident.objects.get(pk=incident_id).types.all()] \
        == ["training_obstructed"]


def test_a_granted_access_cannot_become_an_incident(cast, facility):
    r = services.record_create(kind=Kind.ACCESS, actor=cast.caseworker_a, org=cast.org_a,
                               values={"facility": facility.pk, "requested_on": "2026-02-01",
                                       "answered_on": "2026-02-02", "outcome": "granted"})
    response = signed_in(cast.caseworker_a).get(f"/outreach/access/{r.pk}/incident/")
    assert response.status_code == 302 and not Incident.objects.exists()


def test_an_edit_from_a_stale_version_shows_both_values_and_keeps_mine(cast, activity):
    client = signed_in(cast.caseworker_a)
    form = client.get(f"/outreach/activities/{activity.pk}/edit/").context["form"]
    body = {name: form[name].value() for name in form.fields}
    body = {k: v for k, v in body.items() if v is not None}
    import json
    body["original"] = json.dumps(body["original"]) if not isinstance(body["original"], str) \
        else body["original"]
    services.record_edit(kind=Kind.ACTIVITY, record=activity, actor=cast.supervisor_a,
                         values={"region": "Balti"}, base_version=1,
                         original=services.values_of(activity, Kind.ACTIVITY))
    response = client.post(f"/outreach/activities/{activity.pk}/edit/", {**body, "region": "Cahul"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Balti" in html and "Cahul" in html
    again = response.context["form"]
    assert again["region"].value() == "Cahul" and again["version"].value() == "2"


def test_facility_register_is_shared_across_the_network(cast, facility):
    from bridgeway.orgs.models import NetworkMembership

    NetworkMembership.objects.create(network=cast.network, member=cast.org_b)
    assert "Reception centre Nord" in signed_in(cast.caseworker_b).get(
        "/outreach/facilities/").content.decode()


def test_network_view_suppresses_small_counts_and_exports_with_hxl(cast, activity):
    client = signed_in(cast.coordinator)
    page = client.get("/outreach/network/?year=2026").content.decode()
    assert "&lt;11" in page
    csv = client.get("/outreach/network/export.csv").content.decode().splitlines()
    assert csv[1].startswith("#country+code")
    assert "#reached+total" in csv[1] and "#activity+type" in csv[1]
    assert "<11" in csv[2]
    own = signed_in(cast.caseworker_a).get("/outreach/network/export.csv").content.decode()
    assert ",30," in own  # an organisation sees its own numbers
    xlsx = client.get("/outreach/network/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_service_worker_keeps_only_the_shell_and_the_three_forms(cast):
    response = signed_in(cast.caseworker_a).get("/outreach/sw.js")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    for url in ("/outreach/activities/new/", "/outreach/access/new/", "/outreach/trainings/new/",
                "/outreach/offline/"):
        assert url in body
    assert "/cases/" not in body and "/api/" not in body


def test_the_outreach_page_says_what_is_stored_on_the_device(cast):
    page = signed_in(cast.caseworker_a).get("/outreach/").content.decode()
    assert "Records on this device" in page and "Signing out deletes the key" in page
    assert "outbox.js" in page


def test_the_country_page_shows_access_outcomes_by_facility_type(cast, facility):
    from datetime import timedelta

    from django.utils import timezone

    day = timezone.localdate() - timedelta(days=30)
    services.record_create(kind=Kind.ACCESS, actor=cast.caseworker_a, org=cast.org_a, values={
        "facility": facility.pk, "requested_on": day, "answered_on": day, "outcome": "refused"})
    page = signed_in(cast.caseworker_a).get("/civic-space/countries/MD/").content.decode()
    assert "Access to facilities in the last four quarters" in page
    assert "Detention centre: Refused" in page
    coordinator = signed_in(cast.coordinator).get("/civic-space/countries/MD/").content.decode()
    assert "&lt;11" in coordinator
