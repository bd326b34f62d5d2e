from datetime import date

import pytest

from bridgeway.civicspace import services
from bridgeway.civicspace.models import RestrictionType
from bridgeway.orgs.models import NetworkMembership
from tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture(autouse=True)
def seeded_types(db):
    # A transactional test elsewhere may have flushed what the data migration wrote.
    services.restriction_types_seed()


def type_id(code: str) -> int:
    return RestrictionType.objects.get(code=code, network__isnull=True).pk


def incident_data(**kw) -> services.IncidentData:
    base = dict(title="Registration refused", started_on=date(2026, 3, 2), country="MD",
                description="The ministry refused to register the shelter.",
                actors=["national_authority"], type_ids=[type_id("burdensome_registration")],
                visibility="public",
                affected=[services.Affected(organisation_id=None,
                                            description="a shelter in the north")],
                sources=[services.SourceData(url="https://example.org/news/1", title="News",
                                             is_public=True)])
    base.update(kw)
    return services.IncidentData(**base)


@pytest.fixture
def report(cast):
    def make(**kw):
        return services.incident_report(actor=cast.caseworker_a, reporting_org=cast.org_a,
                                        network=cast.network, data=incident_data(**kw))
    return make


@pytest.fixture
def other_network(cast):
    net = OrganisationFactory(name="Other Network", org_type="CSONetwork", country="PL")
    NetworkMembership.objects.create(network=net, member=cast.org_b)
    coordinator = MembershipFactory(organisation=net, role="network_coordinator").user
    return net, coordinator
