"""Recording activities, access requests and trainings: the rules a field worker meets, what is
encrypted, and that a refused write leaves nothing behind."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from bridgeway.outreach import services
from bridgeway.outreach.codes import Kind
from bridgeway.outreach.models import AccessRequest, Activity, Training
from bridgeway.protection.models import AuditEvent
from tests.outreach.conftest import activity_values

pytestmark = pytest.mark.django_db


def _counts():
    return (Activity.objects.count(), AccessRequest.objects.count(), Training.objects.count(),
            AuditEvent.objects.count())


def _refused(cast, kind, values, field):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.record_create(kind=kind, actor=cast.caseworker_a, org=cast.org_a, values=values)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert _counts() == before
    return " ".join(exc.value.message_dict[field])


def test_an_activity_is_recorded_with_its_reach_and_one_audit_event(cast, activity):
    values = services.values_of(activity, Kind.ACTIVITY)
    assert values["reached_total"] == 30 and values["place"] == "Behind the central market"
    assert values["languages"] == ["ro", "ru"]
    event = AuditEvent.objects.get(action="outreach.activity.recorded")
    assert "market" not in str(event.payload)


def test_the_place_and_follow_ups_are_stored_encrypted(cast, activity):
    with connection.cursor() as cur:
        cur.execute("SELECT place_sealed FROM outreach_activity WHERE id = %s",
                    [activity.pk.hex if connection.vendor == "sqlite" else activity.pk])
        raw = bytes(cur.fetchone()[0])
    assert b"market" not in raw
    assert services.values_of(Activity.objects.get(pk=activity.pk), Kind.ACTIVITY)["place"] \
        == "Behind the central market"


def test_people_reached_that_do_not_add_up_are_refused_naming_the_field(cast):
    msg = _refused(cast, Kind.ACTIVITY, activity_values(reached_female=25), "reached_female")
    assert "35" in msg and "30" in msg
    _refused(cast, Kind.ACTIVITY, activity_values(reached_age_60=0), "reached_age_0_17")


def test_end_before_start_and_future_dates_are_refused(cast):
    assert "before" in _refused(cast, Kind.ACTIVITY, activity_values(ended_on="2026-03-01"),
                                "ended_on")
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert "future" in _refused(cast, Kind.ACTIVITY,
                                activity_values(started_on=future, ended_on=None), "started_on")


def test_negative_and_absurd_counts_are_refused(cast):
    assert "negative" in _refused(cast, Kind.ACTIVITY, activity_values(potential_victims=-1),
                                  "potential_victims")
    assert "100,000" in _refused(cast, Kind.ACTIVITY, activity_values(
        reached_total=150_000, reached_female=150_000, reached_male=0, reached_age_18_59=150_000,
        reached_age_0_17=0, reached_age_60=0), "reached_total")
    _refused(cast, Kind.ACTIVITY, activity_values(reached_total="lots"), "reached_total")


def test_a_held_training_needs_a_past_date_and_a_postponed_one_a_reason(cast):
    base = {"institution_type": "police", "country": "MD", "topic": "Indicators of trafficking",
            "planned_on": "2026-03-01"}
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    _refused(cast, Kind.TRAINING, {**base, "status": "held"}, "held_on")
    assert "future" in _refused(cast, Kind.TRAINING, {**base, "status": "held",
                                                      "held_on": future}, "held_on")
    _refused(cast, Kind.TRAINING, {**base, "status": "postponed"}, "status_reason")
    _refused(cast, Kind.TRAINING, {**base, "status": "held", "held_on": "2026-03-01",
                                   "pre_score": 140}, "pre_score")
    t = services.record_create(kind=Kind.TRAINING, actor=cast.caseworker_a, org=cast.org_a,
                               values={**base, "status": "held", "held_on": "2026-03-01",
                                       "participants_female": 12, "participants_male": 8,
                                       "participant_institutions": {"police": 20},
                                       "hours": "6", "pre_score": 40, "post_score": 75})
    assert t.participants_total == 20


def test_access_outcomes_and_visits_follow_the_rules(cast, facility):
    base = {"facility": facility.pk, "requested_on": "2026-02-01"}
    _refused(cast, Kind.ACCESS, {**base, "outcome": "conditions", "answered_on": "2026-02-03"},
             "conditions")
    _refused(cast, Kind.ACCESS, {**base, "outcome": "refused"}, "answered_on")
    _refused(cast, Kind.ACCESS, {**base, "outcome": "refused", "answered_on": "2026-02-03",
                                 "visited_on": "2026-02-04"}, "visited_on")
    _refused(cast, Kind.ACCESS, {**base, "answered_on": "2026-01-03", "outcome": "granted"},
             "answered_on")
    r = services.record_create(kind=Kind.ACCESS, actor=cast.caseworker_a, org=cast.org_a,
                               values={**base, "outcome": "conditions",
                                       "answered_on": "2026-02-03", "visited_on": "2026-02-05",
                                       "conditions": ["escort", "no_private_interviews"],
                                       "presumed_victims": 3, "referrals_made": 2})
    assert r.conditions == ["escort", "no_private_interviews"]


def test_another_organisations_facility_outside_the_network_cannot_be_chosen(cast):
    other = services.facility_add(actor=cast.caseworker_b, org=cast.org_b,
                                  data=services.FacilityData(name="B's site",
                                                             facility_type="labour_site",
                                                             country="RO"))
    _refused(cast, Kind.ACCESS, {"facility": other.pk, "requested_on": "2026-02-01"}, "facility")


@pytest.mark.parametrize("who", ["agency_poc", "coordinator", "outsider", "dpo_a"])
def test_only_staff_of_the_organisation_may_record(cast, who):
    with pytest.raises(PermissionDenied):
        services.record_create(kind=Kind.ACTIVITY, actor=getattr(cast, who), org=cast.org_a,
                               values=activity_values())
    assert not Activity.objects.exists()


def test_supervisor_and_admin_may_record_for_their_organisation(cast):
    for user in (cast.supervisor_a, cast.admin_a):
        services.record_create(kind=Kind.ACTIVITY, actor=user, org=cast.org_a,
                               values=activity_values())
    assert Activity.objects.count() == 2


def test_disjoint_edits_merge_and_the_same_field_is_a_conflict(cast, activity):
    original = services.values_of(activity, Kind.ACTIVITY)
    services.record_edit(kind=Kind.ACTIVITY, record=activity, actor=cast.supervisor_a,
                         values={"region": "Balti"}, base_version=1, original=original)
    # The other device edited from version 1 too: another field merges.
    merged = services.record_edit(kind=Kind.ACTIVITY, record=activity, actor=cast.caseworker_a,
                                  values={"materials": "Leaflets"}, base_version=1,
                                  original=original)
    assert merged.version == 3 and merged.region == "Balti" and merged.materials == "Leaflets"
    with pytest.raises(services.EditConflict) as exc:
        services.record_edit(kind=Kind.ACTIVITY, record=activity, actor=cast.caseworker_a,
                             values={"region": "Cahul", "place": "Bus station"}, base_version=1,
                             original=original)
    assert exc.value.conflicts == {"region": {"mine": "Cahul", "theirs": "Balti"}}
    fresh = Activity.objects.get(pk=activity.pk)
    assert fresh.version == 3 and services.values_of(fresh, Kind.ACTIVITY)["place"] \
        == "Behind the central market"
