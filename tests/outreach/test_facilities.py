"""Facilities are corrected and deactivated by the organisation that added them (screen and
API, one audit event each); everyone else, network peers included, gets 404."""

import pytest

from bridgeway.outreach import services, summary
from bridgeway.outreach.models import Facility, Summary
from bridgeway.protection.models import AuditEvent
from tests.conftest import _member, api, signed_in

pytestmark = pytest.mark.django_db


def test_the_adding_organisation_edits_a_facility_through_the_form(cast, facility, refused):
    client = signed_in(cast.caseworker_a)
    assert f"/outreach/facilities/{facility.pk}/edit/" in client.get(
        "/outreach/facilities/").content.decode()
    page = client.get(f"/outreach/facilities/{facility.pk}/edit/").content.decode()
    assert "Reception centre Nord" in page and "Migration Bureau" in page
    r = client.post(f"/outreach/facilities/{facility.pk}/edit/", {
        "name": "Reception centre North", "facility_type": "reception", "country": "MD",
        "region": "Balti", "authority": "General Inspectorate for Migration"})
    assert r.status_code == 302
    facility.refresh_from_db()
    assert (facility.name, facility.facility_type, facility.region) == (
        "Reception centre North", "reception", "Balti")
    event = AuditEvent.objects.filter(action="outreach.facility.edited").get()
    assert "Balti" not in str(event.payload) and "facility_type" in event.payload["fields"]
    # The access request moved to the new facility type in the network view's totals.
    orgs = [cast.org_a.pk]
    assert summary.stored(orgs) == summary.direct(orgs)
    assert Summary.objects.filter(source="access", kind="reception").exists()


def test_a_bad_edit_names_the_field_and_saves_nothing(cast, facility):
    services.facility_add(actor=cast.caseworker_a, org=cast.org_a, data=services.FacilityData(
        name="Border post Leuseni", facility_type="border_post", country="MD",
        network_id=cast.network.pk))
    client = signed_in(cast.caseworker_a)
    r = client.post(f"/outreach/facilities/{facility.pk}/edit/", {
        "name": "border post leuseni", "facility_type": "detention", "country": "MD"})
    assert r.status_code == 200
    assert "This facility is already in the register." in r.content.decode()
    facility.refresh_from_db()
    assert facility.name == "Reception centre Nord"
    assert not AuditEvent.objects.filter(action="outreach.facility.edited").exists()


def test_deactivate_and_reactivate(cast, facility):
    client = signed_in(cast.supervisor_a)
    r = client.post(f"/outreach/facilities/{facility.pk}/active/", {"active": "0"})
    assert r.status_code == 302
    facility.refresh_from_db()
    assert not facility.is_active
    new_visit = signed_in(cast.caseworker_a).get("/outreach/access/new/").content.decode()
    assert "Reception centre Nord" not in new_visit
    assert "Deactivated" in client.get("/outreach/facilities/").content.decode()
    client.post(f"/outreach/facilities/{facility.pk}/active/", {"active": "1"})
    facility.refresh_from_db()
    assert facility.is_active
    assert list(AuditEvent.objects.filter(action__startswith="outreach.facility.")
                .exclude(action="outreach.facility.added").order_by("pk")
                .values_list("action", flat=True)) == [
        "outreach.facility.deactivated", "outreach.facility.reactivated"]


def test_the_api_edits_and_deactivates(cast, facility):
    client = api(cast.caseworker_a)
    url = f"/api/v1/outreach/facilities/{facility.pk}/"
    r = client.patch(url, {"authority": "Border Police", "is_active": False}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["authority"] == "Border Police" and r.json()["is_active"] is False
    r = client.patch(url, {"country": "XX"}, format="json")
    assert r.status_code == 400 and "country" in r.json()
    assert Facility.objects.get(pk=facility.pk).country == "MD"


@pytest.mark.parametrize("who", ["peer", "caseworker_b", "outsider", "agency_poc", "coordinator"])
def test_others_get_404(cast, facility, who):
    user = _member(cast.hidden, "caseworker") if who == "peer" else getattr(cast, who)
    if who == "peer":  # a network peer sees the shared facility but may not change it
        assert api(user).get(f"/api/v1/outreach/facilities/{facility.pk}/").status_code == 200
    client = signed_in(user)
    assert client.get(f"/outreach/facilities/{facility.pk}/edit/").status_code == 404
    assert client.post(f"/outreach/facilities/{facility.pk}/edit/", {
        "name": "X", "facility_type": "detention", "country": "MD"}).status_code == 404
    assert client.post(f"/outreach/facilities/{facility.pk}/active/",
                       {"active": "0"}).status_code == 404
    assert api(user).patch(f"/api/v1/outreach/facilities/{facility.pk}/",
                           {"is_active": False}, format="json").status_code == 404
    facility.refresh_from_db()
    assert facility.is_active and facility.name == "Reception centre Nord"
