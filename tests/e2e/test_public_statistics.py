"""A researcher signs in, finds Statistics in the menu and reads the demo network's published
release; the same page opens without signing in, sets no cookie, and axe finds nothing."""

import pytest
from playwright.sync_api import expect

from bridgeway.stats import demo
from tests.e2e.conftest import assert_accessible, at_home
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_researcher_menu_and_public_releases_page(browser, live_server):
    network = OrganisationFactory(name="Two Rivers", org_type="CSONetwork", country="RO")
    coordinator = MembershipFactory(organisation=network, role="network_coordinator").user
    second = MembershipFactory(organisation=network, role="network_coordinator").user
    researcher = MembershipFactory(organisation=network, role="researcher").user
    release = demo.seed_demo(network=network, importer=coordinator, approver=second)

    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    # A researcher sees no personal data: password only, no second factor.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(researcher.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    page.get_by_role("button", name="Menu").click()  # folded on a phone
    page.get_by_role("navigation").get_by_role("link", name="Statistics").click()
    page.wait_for_url("**/public/statistics/")
    page.get_by_role("link", name=demo.RELEASE_TITLE).click()
    expect(page.get_by_role("heading", name=demo.RELEASE_TITLE)).to_be_visible()
    expect(page.get_by_text("Every count shown describes at least 11 victims")).to_be_visible()
    assert_accessible(page)
    context.close()

    # Without signing in: the page opens and leaves no cookie behind.
    anonymous = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = anonymous.new_page()
    response = page.goto(f"/public/statistics/{release.pk}/")
    assert response.status == 200 and "set-cookie" not in response.headers
    expect(page.get_by_role("table", name=demo.RELEASE_TITLE)).to_be_visible()
    assert anonymous.cookies() == []
    assert_accessible(page)
    anonymous.close()
