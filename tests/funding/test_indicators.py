"""Each indicator against a value computed by hand on a small fixture (org A, 2025):

  grant          funder        type                 restricted  late  received 2025
  Shelter        Ministry      national government  yes         yes   10 000 EUR
  City core      City Hall     local government     no          no    39 000 MDL = 2 000 EUR (rate 19.5)
  Nordic         Foundation NO private foundation   yes         no     5 000 USD = 4 000 EUR (rate 1.25)
  Donors         —             individuals          no          no     4 000 EUR

  income 20 000 EUR; state 12 000 (60 %); foreign 4 000 (20 %); core 6 000 (30 %);
  funders 10 000, 2 000, 4 000, 4 000 -> largest 50 %, HHI .25+.01+.04+.04 = 0.34;
  late 1 of 4 grants = 25 %; 2024: 16 000 EUR (Ministry 8 000 + City 160 000 MDL / 20) -> +25 %;
  resilience 2025: expenditure 24 000, reserves 5 000 -> 2.5 months; 2 of 8 contracts -> 25 %.
"""

from decimal import Decimal

import pytest

from bridgeway.funding import queries, services
from bridgeway.funding.codes import Indicator
from bridgeway.funding.models import SurveyIndicatorMapping
from bridgeway.funding.network import network_view
from tests.funding.conftest import data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(cast, rates, funders):
    def add(**kw):
        services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(**kw))
    add(title="Shelter", funder_id=funders["ministry"].pk, paid_late=True, late_days=40,
        received={2024: Decimal("8000"), 2025: Decimal("10000")})
    add(title="City core", funder_id=funders["city"].pk, funder_type="local_government",
        currency="MDL", restricted=False, received={2024: Decimal("160000"), 2025: Decimal("39000")})
    add(title="Nordic", funder_id=funders["foundation"].pk, funder_type="foundation",
        funder_country="NO", currency="USD", received={2025: Decimal("5000")})
    add(title="Donors", funder_type="individuals", restricted=False, received={2025: Decimal("4000")})
    services.resilience_save(actor=cast.admin_a, org=cast.org_a, data=services.ResilienceData(
        year=2025, currency="EUR", expenditure=Decimal("24000"), reserves=Decimal("5000"), staff=8,
        contracts_end_6m=1, contracts_end_12m=2))


def by(results):
    return {r.indicator: r for r in results}


def test_each_indicator_matches_the_hand_computed_value(cast, ledger):
    r = by(queries.indicators_of(cast.org_a, 2025))
    expected = {Indicator.STATE_SHARE: "0.6", Indicator.FOREIGN_SHARE: "0.2",
                Indicator.CORE_SHARE: "0.3", Indicator.RUNWAY: "2.5",
                Indicator.TOP_FUNDER: "0.5", Indicator.HHI: "0.34",
                Indicator.LATE_SHARE: "0.25", Indicator.STAFF_AT_RISK: "0.25",
                Indicator.YOY: "0.25"}
    for ind, value in expected.items():
        assert r[ind].value == pytest.approx(Decimal(value)), ind
    assert r[Indicator.RUNWAY].shown == "2.5 months"
    assert r[Indicator.STATE_SHARE].shown == "60.0 %"


def test_every_figure_says_which_rate_and_year_it_used(cast, ledger):
    r = by(queries.indicators_of(cast.org_a, 2025))
    assert "1 EUR = 19.5 MDL (2025)" in r[Indicator.STATE_SHARE].rates
    assert "1 EUR = 1.25 USD (2025)" in r[Indicator.STATE_SHARE].rates
    assert "1 EUR = 20 MDL (2024)" in r[Indicator.YOY].rates  # last year's income at last year's rate
    assert "÷" in r[Indicator.RUNWAY].formula and "12" in r[Indicator.RUNWAY].formula


def test_a_year_with_no_expenditure_is_not_computable_with_the_reason(cast, ledger):
    services.resilience_save(actor=cast.admin_a, org=cast.org_a, data=services.ResilienceData(
        year=2024, currency="EUR", expenditure=Decimal("0"), reserves=Decimal("5000"), staff=0))
    r = by(queries.indicators_of(cast.org_a, 2024))
    assert r[Indicator.RUNWAY].value is None
    assert "no expenditure" in r[Indicator.RUNWAY].reason
    assert r[Indicator.STAFF_AT_RISK].value is None
    assert r[Indicator.YOY].value is None and "2023" in r[Indicator.YOY].reason


def test_a_missing_rate_makes_money_indicators_not_computable(cast, ledger):
    from bridgeway.funding.models import CurrencyRate

    CurrencyRate.objects.filter(currency="USD").delete()
    r = by(queries.indicators_of(cast.org_a, 2025))
    assert r[Indicator.STATE_SHARE].value is None
    assert "USD 2025" in r[Indicator.STATE_SHARE].reason
    assert r[Indicator.RUNWAY].value == pytest.approx(Decimal("2.5"))  # needs no rate


def test_the_network_computes_the_same_values_as_the_member_page(cast, ledger, settings):
    settings.BRIDGEWAY_FUNDING_MIN_GROUP = 1  # below the floor: 3 is used
    view = network_view(cast.network, 2025)
    assert view.min_group == 3
    overall = {i.indicator: i.overall for i in view.indicators}
    # one member with figures: a group of one is suppressed
    assert overall[Indicator.STATE_SHARE].suppressed and overall[Indicator.STATE_SHARE].median is None
    from bridgeway.funding.network import member_values

    _members, values, rates, _nc = member_values(cast.network, 2025)
    mine = values[cast.org_a.pk]
    page = by(queries.indicators_of(cast.org_a, 2025))
    for ind, (value, source) in mine.items():
        assert value == pytest.approx(float(page[ind].value)), ind
        assert source == "ledger"


def test_quartiles_and_thresholds_across_members(cast, rates):
    from bridgeway.funding.models import ResilienceYear
    from bridgeway.orgs.models import NetworkMembership
    from tests.factories import OrganisationFactory

    members = [cast.org_a] + [OrganisationFactory(name=f"M{i}", country="MD") for i in range(3)]
    for org in members[1:]:
        NetworkMembership.objects.create(network=cast.network, member=org)
    for org, months in zip(members, [1, 2, 4, 8], strict=True):
        ResilienceYear.objects.create(organisation=org, year=2025, currency="EUR",
                                      expenditure=Decimal("1200"), reserves=Decimal(100 * months))
    services.threshold_set(actor=cast.coordinator, network=cast.network,
                           indicator="runway_months", value=Decimal("3"))
    view = network_view(cast.network, 2025)
    runway = next(i for i in view.indicators if i.indicator == Indicator.RUNWAY)
    assert (runway.overall.q1, runway.overall.median, runway.overall.q3) == (1.75, 3.0, 5.0)
    assert runway.overall.n == 4
    assert sorted(b["member"] for b in view.below) == sorted([cast.org_a.name, "M0"])


def test_survey_answers_fill_in_for_members_without_a_ledger(cast):
    # mapping_set checks the question against the surveys: see test_survey_mapping.py
    mapping = SurveyIndicatorMapping.objects.create(network=cast.network, question="1:state_share",
                                                    indicator="state_share")
    n = services.survey_answers_apply(network=cast.network, question=mapping.question,
                                      answers=[(cast.org_a.pk, 2025, Decimal("0.38")),
                                               (cast.org_b.pk, 2025, Decimal("0.9"))])  # not a member
    assert n == 1
    from bridgeway.funding.network import member_values

    _m, values, _r, _nc = member_values(cast.network, 2025)
    assert values[cast.org_a.pk][Indicator.STATE_SHARE] == (0.38, "survey")
