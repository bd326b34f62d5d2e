"""Consent where it is needed: a caseworker records consent inside intake, then refers the case
recording the referral consent inside the referral form, never leaving the page; the person's
consent list shows each purpose once. axe finds nothing."""

import pytest
from playwright.sync_api import expect

from bridgeway.cases.models import Case
from bridgeway.orgs.models import OrganisationService
from bridgeway.protection.models import Consent
from bridgeway.referrals.models import Referral
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_consent_inside_intake_and_the_referral_form(page):
    org = OrganisationFactory(name="Lumina", country="MD")
    police = OrganisationFactory(name="Anti-trafficking police", org_type="LawEnforcement",
                                 country="MD")
    OrganisationService.objects.create(organisation=police, service="identification")
    worker = MembershipFactory(organisation=org, role="caseworker").user
    sign_in(page, worker.email, with_totp(worker))

    page.goto("/cases/new/")
    page.locator("#id_first_name").fill("Doina")
    page.locator("#id_second_name").fill("Guțu")
    consent = page.get_by_role("group", name="Consent (optional)")
    consent.get_by_label("Case management").check()
    consent.get_by_label("Statistics").check()
    assert_accessible(page)
    page.get_by_role("button", name="Open the case").click()
    case = Case.objects.get()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert set(Consent.objects.values_list("purpose", flat=True)) == {"case_management",
                                                                      "statistics"}

    page.get_by_role("link", name="Refer", exact=True).click()
    expect(page.get_by_text("No consent is recorded").first).to_be_visible()
    page.get_by_label("Refer to").select_option(str(police.pk))
    page.get_by_label("Identity (names, date of birth, gender, citizenship)").check()
    page.locator("input[name=services][value=identification]").check()
    page.locator("#id_reason").select_option("AdditionalServicesRequired")
    given = page.get_by_role("group", name="Consent given now")
    given.get_by_label("Referral to another organisation").check()
    given.get_by_label("For referrals: kind of organisation").select_option("LawEnforcement")
    assert_accessible(page)
    page.get_by_role("button", name="Send the referral").click()
    referral = Referral.objects.get()
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert referral.consent.recipient_type == "LawEnforcement"

    # The person's page lists each purpose once.
    page.goto(f"/protection/people/{case.subject_id}/")
    table = page.get_by_role("table", name="Consent, one line per purpose")
    expect(table.get_by_role("row")).to_have_count(4)  # header + three purposes
    assert_accessible(page)
