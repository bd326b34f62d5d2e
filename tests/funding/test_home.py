from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bridgeway.core.registry import menu_for
from bridgeway.funding import queries, services
from tests.funding.conftest import data

pytestmark = pytest.mark.django_db


def test_menu_entry_for_finance_people_and_coordinators_only(cast):
    def labels(u):
        return [str(label) for _url, label, _key in menu_for(u)]
    assert "Funding" in labels(cast.admin_a)
    assert "Funding" in labels(cast.coordinator)
    assert "Funding" not in labels(cast.caseworker_a)
    assert "Funding" not in labels(cast.outsider)


def test_resilience_missing_for_last_year_leaves_once_recorded(cast):
    count, items = queries.home_resilience_missing(cast.admin_a, 5)
    assert count == 1 and items[0].label == cast.org_a.name
    assert queries.home_resilience_missing(cast.caseworker_a, 5) == (0, [])
    services.resilience_save(actor=cast.admin_a, org=cast.org_a, data=services.ResilienceData(
        year=timezone.localdate().year - 1, currency="EUR", expenditure=Decimal("1")))
    assert queries.home_resilience_missing(cast.admin_a, 5)[0] == 0


def test_grants_ending_without_follow_up(cast, funders):
    today = timezone.localdate()
    services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(
        title="Ending", funder_id=funders["ministry"].pk, starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=30), received={}))
    count, items = queries.home_grants_ending(cast.admin_a, 5)
    assert count == 1 and items[0].label == "Ending" and items[0].urgency
    assert queries.home_grants_ending(cast.coordinator, 5) == (0, [])
    services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(
        title="Next", funder_id=funders["ministry"].pk, status="applied",
        starts_on=today + timedelta(days=31), received={}))
    assert queries.home_grants_ending(cast.admin_a, 5)[0] == 0


def test_grants_ending_of_every_finance_organisation_and_no_other(cast, funders):
    """An administrator of one organisation who is a designated finance person of another sees
    the grants of both, soonest first, and counted together; a member of either who is neither
    administrator nor designated sees none; another organisation's grants stay out."""
    from bridgeway.orgs.models import Membership

    today = timezone.localdate()
    Membership.objects.create(user=cast.admin_a, organisation=cast.org_b, role="caseworker")
    services.finance_people_set(actor=cast.admin_b, org=cast.org_b, user_ids=[cast.admin_a.pk])
    other = Membership.objects.create(user=cast.outsider, organisation=cast.hidden,
                                      role="org_admin").organisation
    for org, actor, title, days in ((cast.org_a, cast.admin_a, "A later", 90),
                                    (cast.org_b, cast.admin_b, "B sooner", 20),
                                    (cast.org_a, cast.admin_a, "A soonest", 10),
                                    (other, cast.outsider, "Hidden", 5)):
        services.record_add(actor=actor, org=org, data=data(
            title=title, funder_id=funders["ministry"].pk,
            starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=days),
            received={}))
    count, items = queries.home_grants_ending(cast.admin_a, 5)
    assert count == 3 and [i.label for i in items] == ["A soonest", "B sooner", "A later"]
    assert [i.label for i in queries.home_grants_ending(cast.admin_b, 5)[1]] == ["B sooner"]
    assert queries.home_grants_ending(cast.caseworker_b, 5) == (0, [])
    assert queries.home_grants_ending(cast.supervisor_a, 5) == (0, [])
    # Designated without being administrator anywhere: the designation alone counts.
    services.finance_people_set(actor=cast.admin_a, org=cast.org_a,
                                user_ids=[cast.supervisor_a.pk])
    assert [i.label for i in queries.home_grants_ending(cast.supervisor_a, 5)[1]] == [
        "A soonest", "A later"]
    # Resilience figures missing: the same organisations, by name.
    assert [i.label for i in queries.home_resilience_missing(cast.admin_a, 5)[1]] == [
        "Org A", "Org B"]
    assert [i.label for i in queries.home_resilience_missing(cast.supervisor_a, 5)[1]] == [
        "Org A"]
    assert queries.home_resilience_missing(cast.caseworker_b, 5) == (0, [])
