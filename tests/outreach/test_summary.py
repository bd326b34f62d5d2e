"""The network view's running totals agree with a direct count of the records after creates,
edits (including a move to another quarter, kind or outcome), syncs and deletions."""

import uuid

import pytest

from bridgeway.outreach import network, services, summary
from bridgeway.outreach.codes import Kind
from bridgeway.outreach.models import Summary
from tests.conftest import api
from tests.outreach.conftest import activity_values

pytestmark = pytest.mark.django_db


def _orgs(cast):
    return [cast.org_a.pk, cast.org_b.pk]


def _agrees(cast):
    assert summary.stored(_orgs(cast)) == summary.direct(_orgs(cast))
    for year in (None, 2025, 2026):
        assert network.aggregates(_orgs(cast), year=year) \
            == network.aggregates_direct(_orgs(cast), year=year)


def test_totals_follow_creates_edits_syncs_and_deletions(cast, facility, refused, activity):
    a = cast.caseworker_a
    _agrees(cast)
    second = services.record_create(kind=Kind.ACTIVITY, actor=a, org=cast.org_a,
                                    values=activity_values(started_on="2025-11-02",
                                                           ended_on="2025-11-02"))
    training = services.record_create(kind=Kind.TRAINING, actor=a, org=cast.org_a, values={
        "institution_type": "police", "country": "MD", "topic": "Indicators",
        "planned_on": "2026-03-01", "status": "held", "held_on": "2026-03-01",
        "participants_female": 12, "participants_male": 8})
    _agrees(cast)
    row = Summary.objects.get(source="activity", year=2026, quarter=1, kind="outreach_round")
    assert (row.n, row.reached, row.female, row.victims) == (1, 30, 20, 2)

    # An edit that moves the activity to another quarter and kind, and changes its reach.
    services.record_edit(kind=Kind.ACTIVITY, record=activity, actor=a, values={
        "started_on": "2025-12-01", "ended_on": "2025-12-02", "kind": "field_visit"})
    services.record_edit(kind=Kind.ACCESS, record=refused, actor=a,
                         values={"outcome": "no_answer", "reason_given": ""})
    services.record_edit(kind=Kind.TRAINING, record=training, actor=a,
                         values={"participants_female": 2})
    _agrees(cast)
    assert not Summary.objects.filter(source="activity", year=2026).exists()

    # A sync goes through the same services.
    r = api(a).post("/api/v1/outreach/sync/", {"entries": [{
        "client_id": str(uuid.uuid4()), "kind": "activity", "organisation": cast.org_a.pk,
        "values": activity_values()}]}, format="json")
    assert r.status_code == 200, r.json()
    _agrees(cast)

    second.delete()
    refused.delete()
    training.delete()
    _agrees(cast)
    assert not Summary.objects.filter(source__in=["access", "training"]).exists()


def test_rebuild_recomputes_what_a_bulk_load_left_out(cast, activity):
    Summary.objects.all().delete()
    assert summary.stored(_orgs(cast)) != summary.direct(_orgs(cast))
    summary.rebuild()
    _agrees(cast)
