"""The network view reads per-organisation-year summary rows (funding.summary) kept by the
services; they must give exactly the member page's figures (the direct path, queries.totals_of),
including currency conversion, a missing rate and the not-computable cases, and stay right when
rates, records or the organisation's country change."""

from decimal import Decimal

import pytest

from bridgeway.funding import indicators, queries, services, summary
from bridgeway.funding.codes import Indicator
from bridgeway.funding.models import CurrencyRate, FundingYearSummary
from bridgeway.funding.network import _totals, member_values
from tests.funding.conftest import data
from tests.funding.test_indicators import ledger  # noqa: F401  (the hand-computed fixture)

pytestmark = pytest.mark.django_db


def via_summary(cast, year):
    return _totals({cast.org_a.pk: cast.org_a}, year)[cast.org_a.pk]


def assert_paths_agree(cast, year):
    direct = indicators.compute(queries.totals_of(cast.org_a, year))
    summed = indicators.compute(via_summary(cast, year))
    assert [(r.indicator, r.value, r.inputs, r.reason, r.rates) for r in summed] == \
        [(r.indicator, r.value, r.inputs, r.reason, r.rates) for r in direct]
    return {r.indicator: r for r in summed}


def test_the_summary_path_gives_the_hand_computed_values(cast, ledger):  # noqa: F811
    assert FundingYearSummary.objects.filter(organisation=cast.org_a).count() == 2  # 2024, 2025
    r = assert_paths_agree(cast, 2025)
    assert r[Indicator.STATE_SHARE].value == Decimal("0.6")
    assert r[Indicator.FOREIGN_SHARE].value == Decimal("0.2")
    assert r[Indicator.CORE_SHARE].value == Decimal("0.3")
    assert r[Indicator.TOP_FUNDER].value == Decimal("0.5")
    assert r[Indicator.HHI].value == Decimal("0.34")
    assert r[Indicator.LATE_SHARE].value == Decimal("0.25")
    assert r[Indicator.RUNWAY].value == Decimal("2.5")
    assert r[Indicator.STAFF_AT_RISK].value == Decimal("0.25")
    assert r[Indicator.YOY].value == Decimal("0.25")
    assert "1 EUR = 20 MDL (2024)" in r[Indicator.YOY].rates


def test_not_computable_cases_agree(cast, ledger):  # noqa: F811
    services.resilience_save(actor=cast.admin_a, org=cast.org_a, data=services.ResilienceData(
        year=2024, currency="EUR", expenditure=Decimal("0"), reserves=Decimal("5000"), staff=0))
    r = assert_paths_agree(cast, 2024)  # no expenditure, no staff, nothing received in 2023
    assert r[Indicator.RUNWAY].value is None and r[Indicator.YOY].value is None
    r = assert_paths_agree(cast, 2023)  # nothing at all
    assert r[Indicator.STATE_SHARE].value is None


def test_a_currency_without_a_rate_then_imported(cast, ledger, add):  # noqa: F811
    services.rates_import(actor=cast.platform_admin, content=b"currency,year,rate\nGBP,2025,0.85\n")
    add(title="Pounds", funder_type="foundation", funder_country="GB", currency="GBP",
        received={2025: Decimal("850")})
    r = assert_paths_agree(cast, 2025)
    assert r[Indicator.STATE_SHARE].value == Decimal("12000") / Decimal("21000")
    # the rate disappears behind the services' back, then a write stores the row without it
    CurrencyRate.objects.filter(currency="GBP").delete()
    add(title="Small", received={2025: Decimal("0.01")}, currency="EUR")
    row = FundingYearSummary.objects.get(organisation=cast.org_a, year=2025)
    assert row.figures["missing"] == ["GBP"]
    r = assert_paths_agree(cast, 2025)
    assert r[Indicator.STATE_SHARE].value is None and "GBP 2025" in r[Indicator.STATE_SHARE].reason
    assert r[Indicator.RUNWAY].value == Decimal("2.5")
    services.rates_import(actor=cast.platform_admin, content=b"currency,year,rate\nGBP,2025,0.85\n")
    row = FundingYearSummary.objects.get(organisation=cast.org_a, year=2025)
    assert row.figures["missing"] == [] and Decimal(row.figures["rates"]["GBP"]) == Decimal("0.85")
    assert assert_paths_agree(cast, 2025)[Indicator.STATE_SHARE].value is not None


def test_edits_deletes_and_withdrawals_keep_the_rows_right(cast, ledger, funders):  # noqa: F811
    record, _w = services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(
        title="Extra", received={2023: Decimal("500"), 2025: Decimal("3000")}))
    assert_paths_agree(cast, 2025)
    services.record_edit(actor=cast.admin_a, record=record, data=data(
        title="Extra", status="withdrawn", received={2025: Decimal("3000")}))
    assert not FundingYearSummary.objects.filter(organisation=cast.org_a, year=2023).exists()
    assert assert_paths_agree(cast, 2025)[Indicator.STATE_SHARE].value == Decimal("0.6")
    services.record_delete(actor=cast.admin_a, record=record)
    assert_paths_agree(cast, 2025)


def test_a_stale_row_is_recomputed_not_trusted(cast, ledger):  # noqa: F811
    # changed behind the services' back: a rate and the organisation's country
    CurrencyRate.objects.filter(currency="USD", year=2025).update(rate=Decimal("1.6"))
    cast.org_a.country = "NO"
    cast.org_a.save()
    r = assert_paths_agree(cast, 2025)
    assert r[Indicator.FOREIGN_SHARE].value != Decimal("0.2")
    CurrencyRate.objects.filter(currency="USD").delete()
    assert assert_paths_agree(cast, 2025)[Indicator.STATE_SHARE].value is None
    _m, values, _r, _nc = member_values(cast.network, 2025)
    assert Indicator.STATE_SHARE not in values[cast.org_a.pk]


def test_rebuild_writes_the_same_rows(cast, ledger):  # noqa: F811
    before = {(s.organisation_id, s.year): s.figures for s in FundingYearSummary.objects.all()}
    assert summary.rebuild() == len(before)
    assert {(s.organisation_id, s.year): s.figures
            for s in FundingYearSummary.objects.all()} == before


def test_the_migrations_rebuild_needs_no_cache(cast, ledger, monkeypatch):  # noqa: F811
    # `make run` on a new database: `migrate` (funding 0002 rebuilds the summary from the
    # receipts) runs before `createcachetable`, so the migration's path must not touch the
    # cache; the same rows come out.
    before = {(s.organisation_id, s.year): s.figures for s in FundingYearSummary.objects.all()}

    def no_cache(*_args, **_kwargs):
        raise AssertionError("the cache was used")

    monkeypatch.setattr(summary.cache, "set", no_cache)
    assert summary.rebuild(models=summary._models()) == len(before)
    assert {(s.organisation_id, s.year): s.figures
            for s in FundingYearSummary.objects.all()} == before
