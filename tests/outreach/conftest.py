from datetime import date

import pytest

from bridgeway.civicspace import services as civic_services
from bridgeway.outreach import services
from bridgeway.outreach.codes import Kind


@pytest.fixture(autouse=True)
def seeded_types(db):
    civic_services.restriction_types_seed()


def activity_values(**kw):
    base = {"kind": "outreach_round", "country": "MD", "region": "Chisinau",
            "place": "Behind the central market", "started_on": "2026-03-02",
            "ended_on": "2026-03-03", "target_groups": ["seasonal_workers"],
            "reached_total": 30, "reached_female": 20, "reached_male": 10, "reached_sex_other": 0,
            "reached_age_0_17": 5, "reached_age_18_59": 20, "reached_age_60": 5,
            "reached_age_unknown": 0, "languages": ["ro", "ru"], "potential_victims": 2}
    base.update(kw)
    return base


@pytest.fixture
def facility(cast):
    return services.facility_add(actor=cast.caseworker_a, org=cast.org_a, data=services.FacilityData(
        name="Reception centre Nord", facility_type="detention", country="MD",
        authority="Migration Bureau", network_id=cast.network.pk))


@pytest.fixture
def refused(cast, facility):
    return services.record_create(kind=Kind.ACCESS, actor=cast.caseworker_a, org=cast.org_a,
                                  values={"facility": facility.pk, "requested_on": "2026-02-01",
                                          "answered_on": "2026-02-10", "outcome": "refused",
                                          "reason_given": "Security reasons",
                                          "people_met": "Deputy director Ivanov"})


@pytest.fixture
def activity(cast):
    return services.record_create(kind=Kind.ACTIVITY, actor=cast.caseworker_a, org=cast.org_a,
                                  values=activity_values())


TODAY = date.today
