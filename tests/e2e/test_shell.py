"""A person signs in with password and TOTP, finds their way, switches language; axe finds no
accessibility violation on any page reached."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe

from bridgeway.protection.audit import verify_chain
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

axe = Axe()


def assert_accessible(page):
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def current_code(secret: str) -> str:
    # A code typed in the last seconds of its 30-second window may expire before the server
    # checks it; wait for a fresh window instead of failing at random.
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def at_home(url: str) -> bool:
    return url.rstrip("/").count("/") == 2  # http://host:port/


def sign_in(page, email, secret):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)


def test_sign_in_with_mfa_navigate_switch_language(page):
    org = OrganisationFactory(name="Lumina Centre", country="MD", languages=["ro", "uk"])
    OrganisationFactory(name="Pas cu Pas", country="RO")
    admin = MembershipFactory(organisation=org, role="org_admin",
                              user__full_name="Elena Popa").user
    MembershipFactory(organisation=org, role="dpo", user=admin)
    secret = with_totp(admin)

    sign_in(page, admin.email, secret)
    assert page.get_by_role("heading", name="Welcome, Elena Popa").is_visible()
    assert_accessible(page)

    for link in ["Directory", "Audit log", "My account"]:
        page.get_by_role("navigation").get_by_role("link", name=link).click()
        page.wait_for_load_state()
        assert_accessible(page)

    page.get_by_role("navigation").get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="Lumina Centre").click()
    assert_accessible(page)
    page.get_by_role("link", name="People").click()
    assert page.get_by_role("cell", name="Elena Popa").first.is_visible()
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
    assert not nav.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert nav.is_visible()
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
