"""Outreach's queues on Home are prepared queries (core.prepared)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bridgeway.orgs.queries import active_memberships
from bridgeway.outreach import queries, services
from bridgeway.outreach.codes import Kind

pytestmark = pytest.mark.django_db


def _records(actor, org, name):
    facility = services.facility_add(actor=actor, org=org, data=services.FacilityData(
        name=name, facility_type="detention", country="MD"))
    today = timezone.localdate()
    services.record_create(kind=Kind.ACCESS, actor=actor, org=org, values={
        "facility": facility.pk, "requested_on": today - timedelta(days=40)})
    services.record_create(kind=Kind.TRAINING, actor=actor, org=org, values={
        "institution_type": "police", "country": "MD", "topic": f"Topic {name}",
        "planned_on": today.replace(day=1)})


def test_one_shape_serves_every_organisation_and_others_cost_no_statement(
        cast, django_assert_num_queries):
    _records(cast.caseworker_a, cast.org_a, "A")
    _records(cast.caseworker_b, cast.org_b, "B")
    # Compiled for org A's people, the same shapes give org B's their own rows.
    for who, name in ((cast.caseworker_a, "A"), (cast.caseworker_b, "B"),
                      (cast.admin_a, "A"), (cast.admin_b, "B")):
        count, items = queries.home_unanswered_access(who, 5)
        assert (count, [i.label for i in items]) == (1, [name])
        count, items = queries.home_trainings_this_month(who, 5)
        assert (count, [i.label for i in items]) == (1, [f"Topic {name}"])
        assert queries.home_unanswered_access(who, 0) == (1, [])
        assert queries.home_trainings_this_month(who, 0) == (1, [])
    for who in (cast.dpo_a, cast.agency_poc, cast.coordinator, cast.outsider):
        active_memberships(who)  # loaded once per request anyway
        with django_assert_num_queries(0):
            assert queries.home_unanswered_access(who, 5) == (0, [])
            assert queries.home_trainings_this_month(who, 5) == (0, [])
            assert queries.unanswered_access(who) is None
            assert queries.trainings_this_month(who) is None
