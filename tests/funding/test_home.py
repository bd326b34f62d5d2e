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
