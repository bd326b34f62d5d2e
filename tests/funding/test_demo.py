import pytest
from django.utils import timezone

from bridgeway.funding import demo, queries
from bridgeway.orgs.models import NetworkMembership
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_demo_members_show_the_three_stories():
    net = OrganisationFactory(name="Net", org_type="CSONetwork")
    orgs, admins = {}, {}
    for key, country in (("lumina", "MD"), ("harbour", "RO"), ("openroads", "MD"),
                         ("pascupas", "RO")):
        orgs[key] = OrganisationFactory(name=key, country=country)
        NetworkMembership.objects.create(network=net, member=orgs[key])
        admins[key] = MembershipFactory(organisation=orgs[key], role="org_admin").user
    demo.seed_demo(orgs, admins)
    demo.seed_demo(orgs, admins)  # twice: nothing added
    last = timezone.localdate().year - 1

    def value(key, ind):
        return next(r.value for r in queries.indicators_of(orgs[key], last) if r.indicator == ind)

    assert value("lumina", "foreign_share") > 0.7
    assert value("harbour", "state_share") > 0.9
    assert value("openroads", "runway_months") < 3
    assert value("pascupas", "runway_months") > 6


def test_demo_survey_fills_luminas_runway_and_the_ledger_wins_elsewhere():
    from bridgeway.funding.network import member_values
    from bridgeway.surveys import demo as surveys_demo

    net = OrganisationFactory(name="Net", org_type="CSONetwork")
    coordinator = MembershipFactory(organisation=net, role="network_coordinator").user
    orgs, admins = {}, {}
    for key, country in (("lumina", "MD"), ("harbour", "RO"), ("openroads", "MD"),
                         ("pascupas", "RO")):
        orgs[key] = OrganisationFactory(name=key, country=country)
        NetworkMembership.objects.create(network=net, member=orgs[key])
        admins[key] = MembershipFactory(organisation=orgs[key], role="org_admin").user
    demo.seed_demo(orgs, admins)
    surveys_demo.seed(network=net, coordinator=coordinator, orgs=orgs, respondents=admins)
    assert demo.map_survey(net, coordinator) == 2
    assert demo.map_survey(net, coordinator) == 0  # twice: nothing added
    _m, values, _r, _nc = member_values(net, timezone.localdate().year - 1)
    assert values[orgs["lumina"].pk]["runway_months"] == (7.0, "survey")
    assert values[orgs["openroads"].pk]["runway_months"][1] == "ledger"
    assert values[orgs["harbour"].pk]["state_share"][1] == "ledger"
