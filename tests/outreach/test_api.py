"""The outreach API and the outbox sync: same permissions as the screens, idempotent resends,
field-by-field conflicts, and a batch that is saved whole or not at all."""

import uuid

import pytest

from bridgeway.orgs.models import Membership
from bridgeway.orgs.queries import forget_memberships
from bridgeway.outreach.models import Activity, SyncReceipt
from tests.conftest import api
from tests.outreach.conftest import activity_values

pytestmark = pytest.mark.django_db


def _new(cast, **kw):
    return {"client_id": str(uuid.uuid4()), "kind": "activity", "organisation": cast.org_a.pk,
            "values": activity_values(**kw)}


def test_caseworker_creates_lists_and_reads_activities(cast):
    client = api(cast.caseworker_a)
    r = client.post("/api/v1/outreach/activities/", {"organisation": cast.org_a.pk,
                                                     "values": activity_values()}, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert client.get("/api/v1/outreach/activities/").json()["count"] == 1
    assert client.get(f"/api/v1/outreach/activities/{pk}/").json()["values"]["place"] \
        == "Behind the central market"


@pytest.mark.parametrize("who", ["caseworker_b", "outsider", "agency_poc", "coordinator"])
def test_others_get_404_through_the_api(cast, activity, who):
    client = api(getattr(cast, who))
    assert client.get(f"/api/v1/outreach/activities/{activity.pk}/").status_code in (404, 403)
    assert client.patch(f"/api/v1/outreach/activities/{activity.pk}/",
                        {"version": 1, "values": {"region": "X"}},
                        format="json").status_code in (404, 403)


def test_bad_values_are_a_400_naming_the_field(cast):
    r = api(cast.caseworker_a).post("/api/v1/outreach/activities/", {
        "organisation": cast.org_a.pk, "values": activity_values(ended_on="2026-01-01")},
        format="json")
    assert r.status_code == 400 and "ended_on" in r.json()


def test_a_patch_from_a_stale_version_on_the_same_field_is_a_409_with_both_values(cast, activity):
    client = api(cast.caseworker_a)
    url = f"/api/v1/outreach/activities/{activity.pk}/"
    assert client.patch(url, {"version": 1, "original": {"region": "Chisinau"},
                              "values": {"region": "Balti"}}, format="json").status_code == 200
    r = client.patch(url, {"version": 1, "original": {"region": "Chisinau"},
                           "values": {"region": "Cahul"}}, format="json")
    assert r.status_code == 409
    assert r.json()["conflicts"] == {"region": {"mine": "Cahul", "theirs": "Balti"}}


def test_sync_creates_once_even_when_the_batch_is_sent_again(cast):
    client = api(cast.caseworker_a)
    batch = {"entries": [_new(cast), _new(cast, region="Orhei")]}
    first = client.post("/api/v1/outreach/sync/", batch, format="json")
    assert first.status_code == 200, first.json()
    assert [x["status"] for x in first.json()["results"]] == ["created", "created"]
    again = client.post("/api/v1/outreach/sync/", batch, format="json")
    assert again.status_code == 200
    assert [x["record_id"] for x in again.json()["results"]] \
        == [x["record_id"] for x in first.json()["results"]]
    assert Activity.objects.count() == 2


def test_a_tampered_resend_is_refused_naming_the_entry(cast):
    client = api(cast.caseworker_a)
    entry = _new(cast)
    client.post("/api/v1/outreach/sync/", {"entries": [entry]}, format="json")
    entry["values"]["reached_total"] = 31
    r = client.post("/api/v1/outreach/sync/", {"entries": [entry]}, format="json")
    assert r.status_code == 400 and r.json()["entry"] == entry["client_id"]
    assert Activity.objects.count() == 1


def test_one_bad_entry_saves_nothing_of_the_batch(cast):
    good, bad = _new(cast), _new(cast, reached_female=1)
    r = api(cast.caseworker_a).post("/api/v1/outreach/sync/", {"entries": [good, bad]},
                                    format="json")
    assert r.status_code == 400
    assert r.json()["entry"] == bad["client_id"] and "reached_female" in r.json()["errors"]
    assert not Activity.objects.exists() and not SyncReceipt.objects.exists()


def test_sync_merges_disjoint_edits_and_returns_a_conflict_for_the_same_field(cast, activity):
    client = api(cast.caseworker_a)
    original = {"region": "Chisinau", "materials": ""}
    edit = lambda **values: {"client_id": str(uuid.uuid4()), "kind": "activity",  # noqa: E731
                             "record_id": str(activity.pk), "version": 1,
                             "original": original, "values": values}
    r = client.post("/api/v1/outreach/sync/", {"entries": [edit(region="Balti"),
                                                           edit(materials="Leaflets"),
                                                           edit(region="Cahul")]}, format="json")
    assert [x["status"] for x in r.json()["results"]] == ["updated", "updated", "conflict"]
    assert r.json()["results"][2]["conflicts"]["region"] == {"mine": "Cahul", "theirs": "Balti"}
    activity.refresh_from_db()
    assert (activity.region, activity.materials, activity.version) == ("Balti", "Leaflets", 3)


def test_a_record_synced_after_the_role_was_lost_is_refused_naming_it(cast, activity):
    client = api(cast.caseworker_a)
    Membership.objects.filter(user=cast.caseworker_a).update(is_active=False)
    forget_memberships(cast.caseworker_a)
    entry = {"client_id": str(uuid.uuid4()), "kind": "activity", "record_id": str(activity.pk),
             "version": 1, "original": {"region": "Chisinau"}, "values": {"region": "Balti"}}
    r = client.post("/api/v1/outreach/sync/", {"entries": [entry]}, format="json")
    assert r.status_code == 403, r.json()
    assert r.json()["entry"] == entry["client_id"]
    assert entry["client_id"] in r.json()["detail"]
    activity.refresh_from_db()
    assert activity.region == "Chisinau"


def test_network_api_gives_suppressed_aggregates_to_coordinators(cast, activity):
    r = api(cast.coordinator).get("/api/v1/outreach/network/?year=2026")
    assert r.status_code == 200
    assert r.json()["activities"][0]["n"] == "<11"
    assert api(cast.outsider).get("/api/v1/outreach/network/").status_code == 403


def test_values_of_the_wrong_shape_are_a_400_naming_each_field(cast):
    r = api(cast.caseworker_a).post("/api/v1/outreach/activities/", {
        "organisation": cast.org_a.pk,
        "values": activity_values(target_groups=5, languages="ro", partners=3,
                                  reached_total=[1], started_on={"y": 1}, colour="red")},
        format="json")
    assert r.status_code == 400
    assert {"target_groups", "languages", "partners", "reached_total", "started_on",
            "colour"} <= set(r.json())
    assert not Activity.objects.exists()
