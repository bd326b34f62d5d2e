from decimal import Decimal

import pytest

from bridgeway.funding import services
from bridgeway.funding.models import CurrencyRate, Funder


@pytest.fixture
def rates(db):
    CurrencyRate.objects.create(currency="MDL", year=2024, rate=Decimal("20"))
    CurrencyRate.objects.create(currency="MDL", year=2025, rate=Decimal("19.5"))
    CurrencyRate.objects.create(currency="USD", year=2025, rate=Decimal("1.25"))


@pytest.fixture
def funders(db):
    return {
        "ministry": Funder.objects.create(name="Ministry of Labour", funder_type="national_government",
                                          country="MD"),
        "foundation": Funder.objects.create(name="Nordic Freedom Foundation", funder_type="foundation",
                                            country="NO", org_identifier="NO-BRC-999999999"),
        "city": Funder.objects.create(name="Chisinau City Hall", funder_type="local_government",
                                      country="MD"),
    }


def data(**kw) -> services.RecordData:
    base = dict(title="Shelter grant", funder_type="national_government", currency="EUR",
                received={2025: Decimal("1000")})
    base.update(kw)
    return services.RecordData(**base)


@pytest.fixture
def add(cast):
    def make(**kw):
        record, _w = services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(**kw))
        return record
    return make
