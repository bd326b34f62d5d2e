"""A member's finance person records a grant and the reserves → the indicators show with their
formulas → the network's coordinator sees the distribution without the member's funders → an
outsider and another member get 404; axe finds nothing on the pages reached."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bridgeway.funding.models import Funder
from bridgeway.orgs.models import NetworkMembership
from tests.e2e.conftest import assert_accessible, at_home, sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_finance_person_records_coordinator_sees_aggregates_others_404(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    other = OrganisationFactory(name="Other CSO", country="RO")
    network = OrganisationFactory(name="Two Rivers", org_type="CSONetwork", country="RO")
    NetworkMembership.objects.create(network=network, member=org)
    Funder.objects.create(name="Nordlys Foundation", funder_type="foundation", country="NO")
    finance = MembershipFactory(organisation=org, role="org_admin").user
    secret = with_totp(finance)
    coordinator = MembershipFactory(organisation=network, role="network_coordinator").user
    other_admin = MembershipFactory(organisation=other, role="org_admin").user
    other_secret = with_totp(other_admin)
    outsider = MembershipFactory(organisation=network, role="researcher").user

    context, page = _context(browser, live_server)
    sign_in(page, finance.email, secret)
    page.get_by_role("navigation").get_by_role("link", name="Funding").click()
    page.wait_for_url(f"**/funding/organisations/{org.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a funding record").click()
    page.locator("#id_title").fill("Survivor support")
    page.locator("#id_funder").select_option(label="Nordlys Foundation (NO)")
    page.locator("#id_funder_type").select_option("foundation")
    page.locator("#id_funder_country").select_option("NO")
    page.locator("#id_amount_awarded").fill("12000")
    page.locator("#id_received").fill("2025 12000")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/funding/organisations/{org.pk}/")
    page.goto(f"/funding/organisations/{org.pk}/resilience/?year=2025")
    page.locator("#id_expenditure").fill("48000")
    page.locator("#id_reserves").fill("10000")
    page.locator("#id_staff").fill("6")
    page.locator("#id_contracts_end_12m").fill("2")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**?year=2025")
    expect(page.get_by_text("unrestricted reserves ÷ (annual expenditure ÷ 12)")).to_be_visible()
    expect(page.get_by_role("cell", name="2.5 months")).to_be_visible()
    expect(page.get_by_role("cell", name="100.0 %").first).to_be_visible()  # all foreign
    assert_accessible(page)
    context.close()

    context, page = _context(browser, live_server)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    page.goto(f"/funding/networks/{network.pk}/?year=2025")
    expect(page.get_by_role("heading", name="Funding across Two Rivers")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Dependence on foreign funding")).to_be_visible()
    assert "Nordlys" not in page.content() and "Survivor support" not in page.content()
    assert_accessible(page)
    assert page.goto(f"/funding/organisations/{org.pk}/").status == 404
    context.close()

    context, page = _context(browser, live_server)
    sign_in(page, other_admin.email, other_secret)
    assert page.goto(f"/funding/organisations/{org.pk}/").status == 404
    context.close()

    context, page = _context(browser, live_server)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(outsider.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    assert page.goto(f"/funding/organisations/{org.pk}/").status == 404
    assert page.goto(f"/funding/networks/{network.pk}/").status == 404
    context.close()


def test_coordinator_maps_a_survey_question_and_sees_a_members_answer(browser, live_server):
    """The coordinator maps the survey's share-of-state-funding question on the network view;
    a member submits the survey; the threshold list shows the member's figure with the source
    "Survey answers"; the page says that a ledger figure wins; axe finds nothing."""
    from django.utils import timezone

    from bridgeway.funding import services as funding
    from bridgeway.surveys import services as surveys
    from bridgeway.surveys.codes import SurveyStatus
    from tests.surveys.forms import member_form

    org = OrganisationFactory(name="Lumina", country="MD")
    network = OrganisationFactory(name="Two Rivers", org_type="CSONetwork", country="RO")
    NetworkMembership.objects.create(network=network, member=org)
    coordinator = MembershipFactory(organisation=network, role="network_coordinator").user
    member = MembershipFactory(organisation=org, role="org_admin").user
    survey = surveys.survey_create(network=network, actor=coordinator, title="Member survey",
                                   xlsform=member_form(), filename="member.xlsx")
    surveys.survey_set_status(survey=survey, actor=coordinator, status=SurveyStatus.OPEN)
    funding.threshold_set(actor=coordinator, network=network, indicator="state_share",
                          value=Decimal("0.5"))
    year = funding.survey_year(timezone.now())

    context, page = _context(browser, live_server)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    page.goto(f"/funding/networks/{network.pk}/?year={year}")
    expect(page.get_by_text("the figure from its ledger is used")).to_be_visible()
    page.locator("#id_mapping-question").select_option(
        label="Member survey — Share of state funding (%)")
    page.locator("#id_mapping-indicator").select_option("state_share")
    page.get_by_role("button", name="Map").click()
    expect(page.get_by_text("Survey question mapped.")).to_be_visible()

    surveys.submission_save(survey=survey, actor=member, organisation=org, submit=True,
                            answers={"org_name": "Lumina", "funded": "yes", "share": "30"})
    page.goto(f"/funding/networks/{network.pk}/?year={year}")
    row = page.get_by_role("row").filter(has_text="Lumina")
    expect(row).to_contain_text("30.0 %")
    expect(row).to_contain_text("Survey answers")
    assert_accessible(page)
    context.close()
