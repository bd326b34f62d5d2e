import json
from decimal import Decimal

import pytest
from django.urls import reverse

from bridgeway.funding import exchange
from bridgeway.funding.models import FundingRecord, ResilienceYear
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_finance_person_records_a_grant_and_reserves_and_sees_formulas(cast, rates, funders):
    c = signed_in(cast.admin_a)
    r = c.post(reverse("funding:record_add", args=[cast.org_a.pk]), {
        "title": "Shelter places", "funder": funders["ministry"].pk,
        "funder_type": "national_government", "currency": "MDL", "status": "received",
        "amount_awarded": "390000", "received": "2025 390000", "restricted": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = c.post(reverse("funding:resilience", args=[cast.org_a.pk]), {
        "year": "2025", "currency": "EUR", "expenditure": "48000", "reserves": "10000",
        "staff": "6", "contracts_end_6m": "1", "contracts_end_12m": "2",
        "needs": "Protective equipment; 1200; met"})
    assert r.status_code == 302
    page = c.get(reverse("funding:org", args=[cast.org_a.pk]) + "?year=2025").content.decode()
    assert "unrestricted reserves ÷ (annual expenditure ÷ 12)" in page
    assert "2.5 months" in page
    assert "1 EUR = 19.5 MDL (2025)" in page
    assert "100.0 %" in page  # all state money


def test_bad_input_is_shown_against_the_field_and_nothing_saved(cast):
    c = signed_in(cast.admin_a)
    r = c.post(reverse("funding:record_add", args=[cast.org_a.pk]), {
        "title": "X", "funder_type": "foundation", "currency": "QQQ", "status": "awarded",
        "starts_on": "2025-06-01", "ends_on": "2025-01-01"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "Unknown currency QQQ" in body and "ends before it starts" in body
    assert not FundingRecord.objects.exists()


@pytest.mark.parametrize("who", ["caseworker_a", "admin_b", "coordinator", "outsider"])
def test_others_get_404_on_the_organisation_pages(cast, who):
    c = signed_in(getattr(cast, who))
    for name in ("funding:org", "funding:record_add", "funding:resilience", "funding:import",
                 "funding:settings"):
        assert c.get(reverse(name, args=[cast.org_a.pk])).status_code == 404, name
    assert c.get(reverse("funding:export", args=[cast.org_a.pk, "csv"])).status_code == 404


def test_coordinator_sees_distribution_without_funders(cast, rates, funders, add):
    add(title="Secret grant", funder_id=funders["foundation"].pk, funder_type="foundation")
    c = signed_in(cast.coordinator)
    page = c.get(reverse("funding:network", args=[cast.network.pk]) + "?year=2025").content.decode()
    assert "Share of state funding" in page
    assert "Nordic Freedom Foundation" not in page and "Secret grant" not in page
    assert "fewer than 3 members" in page
    assert signed_in(cast.admin_a).get(reverse("funding:network", args=[cast.network.pk])).status_code == 404


def test_exports_are_formula_safe(cast, add):
    add(title="=HYPERLINK(\"http://x\")")
    body = signed_in(cast.admin_a).get(reverse("funding:export", args=[cast.org_a.pk, "csv"])).content.decode()
    assert "'=HYPERLINK" in body


def test_360giving_round_trip_validates_against_the_schema(cast, rates, funders, add):
    add(title="Nordic", funder_id=funders["foundation"].pk, funder_type="foundation",
        currency="USD", amount_awarded=Decimal("5000"), received={2025: Decimal("5000")})
    package = exchange.grants_package(cast.org_a)
    assert exchange.schema_problems(package) == []
    FundingRecord.objects.all().delete()
    report = exchange.grants_import(actor=cast.admin_a, org=cast.org_a,
                                    content=json.dumps(package).encode(), filename="g.json",
                                    dry_run=False)
    assert report.ok and report.written == 1
    record = FundingRecord.objects.get()
    assert record.funder == funders["foundation"] and record.receipts.get().amount == 5000


def test_360giving_file_failing_the_schema_names_the_json_path(cast):
    bad = {"grants": [{"id": "360G-x", "title": "t", "description": "d", "currency": "EUR",
                       "amountAwarded": "lots", "awardDate": "2025-01-01",
                       "recipientOrganization": [{"id": "XI-1", "name": "A"}],
                       "fundingOrganization": [{"id": "XI-2", "name": "B"}]}]}
    report = exchange.grants_import(actor=cast.admin_a, org=cast.org_a,
                                    content=json.dumps(bad).encode(), filename="g.json", dry_run=False)
    assert not report.ok
    assert any(p["where"] == "grants/0/amountAwarded" for p in report.problems)
    assert not FundingRecord.objects.exists()


def test_360giving_spreadsheet_through_flattentool(cast, funders, add):
    add(title="Core support", funder_id=funders["foundation"].pk, funder_type="foundation",
        amount_awarded=Decimal("1000"), received={2025: Decimal("1000")})
    body = signed_in(cast.admin_a).get(
        reverse("funding:export", args=[cast.org_a.pk, "360.xlsx"])).content
    FundingRecord.objects.all().delete()
    report = exchange.grants_import(actor=cast.admin_a, org=cast.org_a, content=body,
                                    filename="g.xlsx", dry_run=False)
    assert report.ok, report.problems
    assert FundingRecord.objects.get().title == "Core support"


def test_ledger_dry_run_then_all_or_nothing(cast, rates):
    good = (b"title,funder,funder_type,currency,amount_awarded,year,received,restricted\n"
            b"Shelter,Ministry of Social Protection,national_government,MDL,200000,2024,100000,yes\n"
            b"Shelter,Ministry of Social Protection,national_government,MDL,200000,2025,100000,yes\n"
            b"Donations,,individuals,EUR,,2025,3000,no\n")
    c = signed_in(cast.admin_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(reverse("funding:import", args=[cast.org_a.pk]), {
        "kind": "ledger", "dry_run": "on", "file": SimpleUploadedFile("l.csv", good)})
    assert r.status_code == 200 and "can be imported" in r.content.decode()
    assert not FundingRecord.objects.exists()
    bad = good + b"Evil,,corporate,EUR,=1+1,2025,5,yes\nNeg,,corporate,EUR,,2025,-5,yes\n"
    report = exchange.ledger_import(actor=cast.admin_a, org=cast.org_a, content=bad,
                                    filename="l.csv", dry_run=False)
    wheres = [p["where"] for p in report.problems]
    assert "row 5, column amount_awarded" in wheres and "row 6, column received" in wheres
    assert not FundingRecord.objects.exists()
    report = exchange.ledger_import(actor=cast.admin_a, org=cast.org_a, content=good,
                                    filename="l.csv", dry_run=False)
    assert report.ok and report.written == 2
    shelter = FundingRecord.objects.get(title="Shelter")
    assert sorted(x.year for x in shelter.receipts.all()) == [2024, 2025]


def test_civic_space_country_page_shows_foreign_dependence_panel(cast):
    ResilienceYear  # noqa: B018 (the panel shows even with no figures: "no figures")
    page = signed_in(cast.coordinator).get(reverse("civicspace:country", args=["MD"])).content.decode()
    assert "dependence on foreign funding" in page
    page = signed_in(cast.caseworker_a).get(reverse("civicspace:country", args=["MD"])).content.decode()
    assert "dependence on foreign funding" not in page
