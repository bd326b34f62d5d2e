"""The network view is cached, but never shows a figure older than the data: every funding write
(a record, resilience figures, a threshold), a member renamed or removed, and a rate changed
around the services each give the next view fresh figures."""

from decimal import Decimal

import pytest

from bridgeway.funding import services
from bridgeway.funding.codes import Indicator
from bridgeway.funding.models import CurrencyRate
from bridgeway.funding.network import network_view
from bridgeway.orgs.models import NetworkMembership
from tests.funding.conftest import data

pytestmark = pytest.mark.django_db


def _runway_below(view):
    return [(b["member"], b["value"]) for b in view.below]


def test_writes_and_member_changes_show_at_once(cast, rates):
    services.threshold_set(actor=cast.coordinator, network=cast.network,
                           indicator="runway_months", value=Decimal("3"))
    assert _runway_below(network_view(cast.network, 2025)) == []
    services.resilience_save(actor=cast.admin_a, org=cast.org_a, data=services.ResilienceData(
        year=2025, currency="EUR", expenditure=Decimal("1200"), reserves=Decimal("100"),
        staff=2, contracts_end_6m=0, contracts_end_12m=0))
    assert _runway_below(network_view(cast.network, 2025)) == [("Org A", "1.0 months")]
    cast.org_a.name = "Org A renamed"
    cast.org_a.save()
    assert _runway_below(network_view(cast.network, 2025)) == [("Org A renamed", "1.0 months")]
    services.threshold_set(actor=cast.coordinator, network=cast.network,
                           indicator="runway_months", value=None)
    assert _runway_below(network_view(cast.network, 2025)) == []
    NetworkMembership.objects.filter(network=cast.network, member=cast.org_a).delete()
    assert network_view(cast.network, 2025).members == 1


def test_a_rate_changed_around_the_services_is_noticed(cast, rates):
    services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(
        currency="USD", received={2025: Decimal("1000")}, funder_type="foundation"))
    services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(
        received={2025: Decimal("1000")}))

    def state_share():
        view = network_view(cast.network, 2025)
        ind = next(i for i in view.indicators if i.indicator == Indicator.STATE_SHARE)
        return view.rates, ind.overall.n

    before = state_share()
    assert before[0] == ["1 EUR = 1.25 USD (2025)"]
    CurrencyRate.objects.filter(currency="USD", year=2025).update(rate=Decimal("2"))
    assert state_share()[0] == ["1 EUR = 2 USD (2025)"]
