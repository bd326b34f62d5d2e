"""The triage queue on Home is a prepared query (core.prepared)."""

import pytest

from bridgeway.helpline import queries, services
from bridgeway.orgs.queries import active_memberships

pytestmark = pytest.mark.django_db


def submission(org):
    services.settings_ensure(org)
    return services.public_submission(org=org, answers={"what_happened": "help"}, language="uk")


def test_one_shape_serves_every_operator_and_others_cost_no_statement(
        cast, django_assert_num_queries):
    mine, theirs = submission(cast.org_a), submission(cast.org_b)
    # Compiled for org A's operator, the same shape gives org B's operator org B's rows.
    for who, contact in ((cast.caseworker_a, mine), (cast.caseworker_b, theirs),
                         (cast.supervisor_a, mine)):
        count, items = queries.home_triage(who, 5)
        assert (count, [i.label for i in items]) == (1, [contact.reference])
        assert queries.home_triage(who, 0) == (1, [])
    for who in (cast.dpo_a, cast.admin_a, cast.agency_poc, cast.coordinator, cast.outsider):
        active_memberships(who)  # loaded once per request anyway
        with django_assert_num_queries(0):
            assert queries.home_triage(who, 5) == (0, [])
            assert queries.triage_waiting(who) is None
