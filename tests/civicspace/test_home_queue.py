"""The coordinators' queue on Home is a prepared query (core.prepared)."""

import pytest

from bridgeway.civicspace import queries, services
from bridgeway.orgs.queries import active_memberships
from tests.civicspace.conftest import incident_data

pytestmark = pytest.mark.django_db


def test_one_shape_serves_every_network_and_others_cost_no_statement(
        cast, report, other_network, django_assert_num_queries):
    net, coordinator = other_network
    ours = report(title="Ours")
    theirs = services.incident_report(actor=cast.caseworker_b, reporting_org=cast.org_b,
                                      network=net, data=incident_data(title="Theirs"))
    # Compiled for one coordinator, the same shape gives the other network's its own rows.
    for who, incident in ((cast.coordinator, ours), (coordinator, theirs)):
        count, items = queries.home_incidents_to_verify(who, 5)
        assert (count, [i.label for i in items]) == (1, [incident.title])
        assert queries.home_incidents_to_verify(who, 0) == (1, [])
    for who in (cast.caseworker_a, cast.supervisor_a, cast.dpo_a, cast.agency_poc,
                cast.outsider):
        active_memberships(who)  # loaded once per request anyway
        with django_assert_num_queries(0):
            assert queries.home_incidents_to_verify(who, 5) == (0, [])
            assert queries.incidents_to_verify(who) is None
