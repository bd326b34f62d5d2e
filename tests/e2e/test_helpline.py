"""An anonymous visitor sends the public form in Ukrainian with JavaScript off and with it on →
the operator sees both in triage, opens a case from one, and the case's timeline shows the
contact; another organisation and an outsider get 404; axe finds nothing on the pages reached."""

import pytest
from playwright.sync_api import expect

from bridgeway.helpline import services
from bridgeway.helpline.models import Contact
from tests.e2e.conftest import assert_accessible, at_home, sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _send(browser, live_server, slug, *, javascript: bool, text: str):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript,
                                  locale="uk-UA")
    page = context.new_page()
    page.set_default_timeout(20000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"/help/{slug}/?lang=uk")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("#quick-exit")).to_be_visible()
    if javascript:
        assert_accessible(page)
    page.locator("#id_what_happened").fill(text)
    page.locator("#id_reach").fill("+380501234567")
    page.locator("#id_reach_channel").select_option("signal")
    if javascript:
        # The widget solves the proof-of-work by itself and fills its hidden field.
        expect(page.locator("input[name=altcha]")).not_to_have_value("", timeout=20000)
    page.wait_for_timeout(3200)  # the time trap: a person takes more than three seconds
    page.locator("form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Ваше повідомлення надіслано")  # the form in Ukrainian
    if javascript:
        assert_accessible(page)
        assert not [e for e in errors if "Content Security Policy" in e], errors
    assert context.cookies() == []
    context.close()


def test_public_form_to_triage_to_case_timeline(browser, live_server, settings):
    settings.ALTCHA_CHALLENGE = {"cost": 50, "expires_seconds": 600}
    org = OrganisationFactory(name="Lumina", country="MD")
    other = OrganisationFactory(name="Elsewhere", country="RO")
    operator = MembershipFactory(organisation=org, role="caseworker").user
    secret = with_totp(operator)
    stranger = MembershipFactory(organisation=other, role="caseworker").user
    stranger_secret = with_totp(stranger)
    conf = services.settings_ensure(org)

    _send(browser, live_server, conf.slug, javascript=False,
          text="Без JavaScript: потрібна допомога.")
    _send(browser, live_server, conf.slug, javascript=True, text="Роботодавець забрав паспорт.")
    held, new = Contact.objects.get(status="held"), Contact.objects.get(status="new")
    assert held.held_reason == "no_proof" and new.language == "uk"

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, operator.email, secret)
    page.get_by_role("navigation").get_by_role("link", name="Helpline").click()
    assert_accessible(page)
    page.get_by_role("link", name="Triage").click()
    expect(page.get_by_role("link", name=held.reference)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=new.reference).click()
    expect(page.get_by_text("Роботодавець забрав паспорт.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Open an anonymous first contact").click()
    new.refresh_from_db()
    page.wait_for_url(f"**/cases/{new.case_id}/")
    expect(page.get_by_role("link", name=new.reference)).to_be_visible()
    assert_accessible(page)
    page.goto(f"/cases/{new.case_id}/timeline/")
    expect(page.locator('[data-action="helpline.contact.linked"]')).to_be_visible()
    expect(page.locator('[data-action="helpline.contact.received"]')).to_be_visible()
    assert_accessible(page)
    context.close()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, stranger.email, stranger_secret)
    assert page.goto(f"/helpline/contacts/{new.pk}/").status == 404
    context.close()

    outsider = UserFactory()
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(outsider.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    assert page.goto(f"/helpline/contacts/{new.pk}/").status == 404
    assert page.goto(f"/cases/{new.case_id}/").status == 404
    context.close()
