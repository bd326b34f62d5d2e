"""After a funding write the network view recomputes only the written member's values and keeps
the others' (funding.network._ledger_values, per-organisation tokens in FundingOrgVersion). The
kept values must always equal the values computed from nothing and the member page's figures
from the records, over additions, edits, deletions, resilience figures, a rate changed and a
write rolled back; and a write path that forgot to renew its member's token would fail here."""

import io
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from bridgeway.funding import indicators, network, queries, services
from bridgeway.funding.models import FundingOrgVersion
from bridgeway.orgs.models import NetworkMembership
from tests.funding.conftest import data
from tests.funding.test_indicators import ledger  # noqa: F401  (the hand-computed fixture)

pytestmark = pytest.mark.django_db


def from_records(org, year):
    return {str(k): float(v) for k, v in
            indicators.values(queries.totals_of(org, year)).items()}


def assert_kept_is_fresh(cast, year=2025):
    kept = network.member_values(cast.network, year)
    with override_settings(BRIDGEWAY_FUNDING_VIEW_CACHE_SECONDS=0):
        fresh = network.member_values(cast.network, year)
    assert kept == fresh
    for org in (cast.org_a, cast.org_b):
        assert {k: v for k, (v, _s) in kept[1][org.pk].items()} == from_records(org, year)
    return {k: v for k, (v, _s) in kept[1][cast.org_a.pk].items()}


def test_kept_values_follow_every_write(cast, ledger):  # noqa: F811
    NetworkMembership.objects.get_or_create(network=cast.network, member=cast.org_b)
    services.record_add(actor=cast.admin_b, org=cast.org_b, data=data(
        title="B's grant", received={2024: Decimal("100"), 2025: Decimal("300")}))
    first = assert_kept_is_fresh(cast)
    assert first["state_share"] == 0.6
    computed = []
    real = network._totals

    def counting(members, year, among=None):
        computed.append(sorted(members))
        return real(members, year, among)

    network._totals = counting
    try:
        record, _w = services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(
            title="Extra", received={2025: Decimal("6000")}))
        assert assert_kept_is_fresh(cast)["state_share"] == pytest.approx(18000 / 26000)
        assert computed[0] == [cast.org_a.pk]  # Org B's values were kept, not recomputed
        services.record_edit(actor=cast.admin_a, record=record, data=data(
            title="Extra", funder_type="foundation", received={2025: Decimal("6000")}))
        assert assert_kept_is_fresh(cast)["state_share"] == pytest.approx(12000 / 26000)
        services.record_delete(actor=cast.admin_a, record=record)
        assert assert_kept_is_fresh(cast) == first
        services.resilience_save(actor=cast.admin_a, org=cast.org_a, data=services.ResilienceData(
            year=2025, currency="EUR", expenditure=Decimal("12000"), reserves=Decimal("5000"),
            staff=8, contracts_end_6m=1, contracts_end_12m=2))
        assert assert_kept_is_fresh(cast)["runway_months"] == 5.0
        services.rates_import(actor=cast.platform_admin,
                              content=b"currency,year,rate\nUSD,2025,2.5\n")
        assert assert_kept_is_fresh(cast)["foreign_share"] == pytest.approx(2000 / 18000)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.record_add(actor=cast.admin_b, org=cast.org_b, data=data(
                title="Undone", received={2025: Decimal("999")}))
            raise RuntimeError("rolled back")
        assert assert_kept_is_fresh(cast)["foreign_share"] == pytest.approx(2000 / 18000)
    finally:
        network._totals = real


def test_a_write_renews_only_its_members_token(cast, ledger):  # noqa: F811
    before = dict(FundingOrgVersion.objects.values_list("organisation_id", "token"))
    assert cast.org_a.pk in before
    services.record_add(actor=cast.admin_b, org=cast.org_b, data=data(title="B"))
    after = dict(FundingOrgVersion.objects.values_list("organisation_id", "token"))
    assert after[cast.org_a.pk] == before[cast.org_a.pk]
    assert cast.org_b.pk in after and after[cast.org_b.pk] != before.get(cast.org_b.pk)


def test_rebuild_command_after_a_load_around_the_services(cast, ledger):  # noqa: F811
    from django.core.management import call_command

    from bridgeway.funding.models import FundingReceipt

    NetworkMembership.objects.get_or_create(network=cast.network, member=cast.org_b)
    kept = assert_kept_is_fresh(cast)
    # a bulk load or a restore: money changed with no service, so no token and no version moved
    FundingReceipt.objects.filter(organisation=cast.org_a, year=2025,
                                  record__title="Donors").update(amount=Decimal("14000"))
    assert network.member_values(cast.network, 2025)[1][cast.org_a.pk]["state_share"][0] == \
        kept["state_share"]  # still the kept figure: nothing told the view
    out = io.StringIO()
    call_command("funding_summary_rebuild", stdout=out)
    assert out.getvalue() == "2 summary rows\n"
    assert assert_kept_is_fresh(cast)["state_share"] == pytest.approx(12000 / 30000)
