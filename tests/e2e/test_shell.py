"""A person signs in with password and TOTP, finds their way, switches language; axe finds no
accessibility violation on any page reached."""

import pytest
from playwright.sync_api import expect

from bridgeway.protection.audit import verify_chain
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_sign_in_with_mfa_navigate_switch_language(page):
    org = OrganisationFactory(name="Lumina Centre", country="MD", languages=["ro", "uk"])
    OrganisationFactory(name="Pas cu Pas", country="RO")
    admin = MembershipFactory(organisation=org, role="org_admin",
                              user__full_name="Elena Popa").user
    MembershipFactory(organisation=org, role="dpo", user=admin)
    secret = with_totp(admin)

    sign_in(page, admin.email, secret)
    expect(page.get_by_role("heading", name="Welcome, Elena Popa")).to_be_visible()
    assert_accessible(page)

    for link in ["Directory", "Audit log", "My account"]:
        page.get_by_role("navigation").get_by_role("link", name=link).click()
        page.wait_for_load_state()
        assert_accessible(page)

    page.get_by_role("navigation").get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="Lumina Centre").click()
    assert_accessible(page)
    page.get_by_role("link", name="People").click()
    expect(page.get_by_role("cell", name="Elena Popa").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Bridgeway").first.click()
    page.get_by_role("link", name="Edit profile and services").click()
    assert_accessible(page)

    # Switch to Ukrainian: the choice is saved and the interface follows.
    page.get_by_label("Language", exact=True).select_option("uk")
    page.wait_for_function("document.documentElement.lang === 'uk'")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert_accessible(page)
    admin.refresh_from_db()
    assert admin.preferred_language == "uk"

    assert verify_chain().ok


def test_phone_width_menu_opens(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    org = OrganisationFactory()
    user = MembershipFactory(organisation=org, role="caseworker").user
    secret = with_totp(user)
    sign_in(page, user.email, secret)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).not_to_be_visible()
    page.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
    assert_accessible(page)
    context.close()


def test_mfa_setup_is_forced_and_accessible(page):
    user = MembershipFactory(role="caseworker").user
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert_accessible(page)
