from decimal import Decimal

import pytest

from tests.conftest import api

pytestmark = pytest.mark.django_db


def test_finance_person_records_through_the_api_and_reads_indicators(cast, rates):
    c = api(cast.admin_a)
    r = c.post("/api/v1/funding/records/", {
        "organisation": cast.org_a.pk, "title": "Shelter", "funder_type": "national_government",
        "currency": "MDL", "amount_awarded": "100", "receipts": [{"year": 2025, "amount": "390000"}]},
        format="json")
    assert r.status_code == 201, r.content
    assert "More was received" in r.json()["warnings"][0]
    r = c.post(f"/api/v1/organisations/{cast.org_a.pk}/funding/resilience/", {
        "year": 2025, "currency": "EUR", "expenditure": "0", "reserves": "100"}, format="json")
    assert r.status_code == 200
    rows = {x["indicator"]: x for x in c.get(
        f"/api/v1/organisations/{cast.org_a.pk}/funding/indicators/?year=2025").json()}
    assert rows["state_share"]["value"] == 1.0
    assert rows["state_share"]["rates"] == ["1 EUR = 19.5 MDL (2025)"]
    assert rows["runway_months"]["value"] is None and "no expenditure" in rows["runway_months"]["reason"]


def test_bad_input_names_the_field(cast):
    r = api(cast.admin_a).post("/api/v1/funding/records/", {
        "organisation": cast.org_a.pk, "title": "X", "funder_type": "foundation",
        "currency": "QQQ"}, format="json")
    assert r.status_code == 400 and "currency" in r.json()


@pytest.mark.parametrize("who", ["caseworker_a", "admin_b", "coordinator", "outsider"])
def test_others_get_404(cast, add, who):
    record = add()
    c = api(getattr(cast, who))
    assert c.get(f"/api/v1/funding/records/{record.pk}/").status_code == 404
    assert c.get(f"/api/v1/organisations/{cast.org_a.pk}/funding/indicators/").status_code == 404
    assert c.post("/api/v1/funding/records/", {
        "organisation": cast.org_a.pk, "title": "X", "funder_type": "foundation",
        "currency": "EUR"}, format="json").status_code == 404
    assert record.pk not in [x["id"] for x in c.get("/api/v1/funding/records/").json()["results"]]


def test_coordinator_reads_aggregates_not_funders(cast, add, funders):
    add(funder_id=funders["foundation"].pk, received={2025: Decimal("10")})
    r = api(cast.coordinator).get(f"/api/v1/networks/{cast.network.pk}/funding/?year=2025")
    assert r.status_code == 200
    assert "Nordic" not in r.content.decode()
    assert r.json()["indicators"][0]["overall"]["suppressed"] is True
    assert api(cast.admin_a).get(f"/api/v1/networks/{cast.network.pk}/funding/").status_code == 404
