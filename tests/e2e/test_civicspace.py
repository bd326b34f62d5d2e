"""A member organisation reports an incident → the network's coordinator verifies and publishes it
→ an anonymous visitor sees it on the public country page; axe finds nothing on the pages reached."""

import pytest
from playwright.sync_api import expect

from bridgeway.civicspace.models import Incident
from bridgeway.civicspace.services import restriction_types_seed
from bridgeway.orgs.models import NetworkMembership
from tests.e2e.conftest import assert_accessible, at_home, sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_report_verify_publish_and_public_page(browser, live_server):
    restriction_types_seed()  # a transactional test before may have flushed the seeded types
    org = OrganisationFactory(name="Lumina", country="MD")
    network = OrganisationFactory(name="Two Rivers", org_type="CSONetwork", country="RO")
    NetworkMembership.objects.create(network=network, member=org)
    worker = MembershipFactory(organisation=org, role="caseworker").user
    secret = with_totp(worker)
    coordinator = MembershipFactory(organisation=network, role="network_coordinator").user

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, worker.email, secret)
    page.get_by_role("navigation").get_by_role("link", name="Civic space").click()
    assert_accessible(page)
    page.get_by_role("link", name="Report an incident").click()
    page.locator("#id_title").fill("Shelter registration refused")
    page.locator("#id_started_on").fill("2026-03-02")
    page.locator("#id_country").select_option("MD")
    page.get_by_label("National authority").check()
    page.get_by_label("Burdensome registration").check()
    page.locator("#id_description").fill("The ministry refused to register the shelter again.")
    page.locator("#id_visibility").select_option("public")
    page.locator("#id_affected-0-description").fill("a shelter in the north")
    page.locator("#id_sources-0-url").fill("https://example.org/news/1")
    page.locator("#id_sources-0-is_public").check()
    assert_accessible(page)
    page.get_by_role("button", name="Report the incident").click()
    incident = Incident.objects.get()
    page.wait_for_url(f"**/civic-space/incidents/{incident.pk}/")
    assert_accessible(page)
    context.close()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    page.get_by_role("navigation").get_by_role("link", name="Civic space").click()
    page.get_by_role("link", name="Review queue").click()
    assert_accessible(page)
    page.get_by_role("link", name="Shelter registration refused").click()
    assert_accessible(page)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"**/civic-space/incidents/{incident.pk}/")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"**/civic-space/incidents/{incident.pk}/")
    incident.refresh_from_db()
    assert incident.status == "published"
    page.goto("/civic-space/countries/MD/")
    assert_accessible(page)
    context.close()

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/public/civic-space/")
    page.get_by_role("link", name="Moldova").click()
    expect(page.get_by_role("link", name="Shelter registration refused")).to_be_visible()
    assert context.cookies() == []
    context.close()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/public/civic-space/MD/")
    assert_accessible(page)
    page.get_by_role("link", name="Shelter registration refused").click()
    expect(page.get_by_text("a shelter in the north")).to_be_visible()
    assert_accessible(page)
    assert context.cookies() == []
    context.close()
