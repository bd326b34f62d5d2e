"""Who may see an organisation's funding: its finance people (administrators, and members the
administrator designated); everyone else gets a 404 — another member, a caseworker of the same
organisation not designated, an outsider, and the network's coordinator (aggregates only)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from bridgeway.funding import queries, services
from bridgeway.funding.models import FundingRecord
from tests.funding.conftest import data

pytestmark = pytest.mark.django_db


def test_admin_is_a_finance_person_and_designates_others(cast, add):
    record = add()
    assert queries.record_for_user(cast.admin_a, record.pk) == record
    with pytest.raises(Http404):
        queries.record_for_user(cast.supervisor_a, record.pk)
    services.finance_people_set(actor=cast.admin_a, org=cast.org_a, user_ids=[cast.supervisor_a.pk])
    assert queries.record_for_user(cast.supervisor_a, record.pk) == record


@pytest.mark.parametrize("who", ["caseworker_a", "caseworker_b", "admin_b", "agency_poc",
                                 "coordinator", "outsider", "platform_admin"])
def test_others_get_404(cast, add, who):
    record = add()
    user = getattr(cast, who)
    with pytest.raises(Http404):
        queries.record_for_user(user, record.pk)
    with pytest.raises(Http404):
        queries.finance_org_for_user(user, cast.org_a.pk)
    with pytest.raises(PermissionDenied):
        services.record_add(actor=user, org=cast.org_a, data=data())


def test_coordinator_sees_a_record_only_once_shared(cast, add):
    record = add()
    with pytest.raises(Http404):
        queries.record_for_user(cast.coordinator, record.pk)
    shared = add(title="Shared grant", shared_with_network=True)
    assert queries.record_for_user(cast.coordinator, shared.pk) == shared
    with pytest.raises(Http404):  # may read, never edit
        queries.record_for_editor(cast.coordinator, shared.pk)


def test_only_admin_designates_finance_people(cast):
    services.finance_people_set(actor=cast.admin_a, org=cast.org_a, user_ids=[cast.supervisor_a.pk])
    with pytest.raises(PermissionDenied):
        services.finance_people_set(actor=cast.supervisor_a, org=cast.org_a, user_ids=[])
    with pytest.raises(ValidationError) as exc:
        services.finance_people_set(actor=cast.admin_a, org=cast.org_a, user_ids=[cast.caseworker_b.pk])
    assert "users" in exc.value.message_dict


@pytest.mark.parametrize("kw, field", [
    ({"currency": "QQQ"}, "currency"),
    ({"amount_awarded": Decimal("-5")}, "amount_awarded"),
    ({"amount_awarded": Decimal("5000000000")}, "amount_awarded"),
    ({"received": {2025: Decimal("-1")}}, "received"),
    ({"currency": "USD", "received": {2024: Decimal("10")}}, "received"),  # no USD rate for 2024
    ({"starts_on": __import__("datetime").date(2025, 5, 1),
      "ends_on": __import__("datetime").date(2025, 1, 1)}, "ends_on"),
    ({"title": " "}, "title"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, rates, kw, field):
    with pytest.raises(ValidationError) as exc:
        services.record_add(actor=cast.admin_a, org=cast.org_a, data=data(**kw))
    assert field in exc.value.message_dict
    assert not FundingRecord.objects.exists()


def test_received_more_than_awarded_is_allowed_but_flagged(cast):
    record, warnings = services.record_add(actor=cast.admin_a, org=cast.org_a,
                                           data=data(amount_awarded=Decimal("500")))
    assert record.pk and warnings and "More was received" in warnings[0]


def test_rates_import_is_for_platform_admins_and_all_or_nothing(cast):
    ok = b"currency,year,rate\nMDL,2024,19.9\nRON,2024,4.97\n"
    with pytest.raises(PermissionDenied):
        services.rates_import(actor=cast.admin_a, content=ok)
    bad = b"currency,year,rate\nMDL,2024,19.9\nQQQ,2024,3\nRON,2024,-1\n"
    with pytest.raises(ValidationError) as exc:
        services.rates_import(actor=cast.platform_admin, content=bad)
    text = " ".join(exc.value.messages)
    assert "Row 3, currency" in text and "Row 4, rate" in text
    assert not queries.rate_rows().exists()
    assert services.rates_import(actor=cast.platform_admin, content=ok) == 2


def test_network_settings_are_for_its_coordinators(cast):
    services.threshold_set(actor=cast.coordinator, network=cast.network, indicator="runway_months",
                           value=Decimal("3"))
    with pytest.raises(PermissionDenied):
        services.threshold_set(actor=cast.admin_a, network=cast.network,
                               indicator="runway_months", value=Decimal("3"))
    with pytest.raises(Http404):
        queries.network_for_user(cast.admin_a, cast.network.pk)
