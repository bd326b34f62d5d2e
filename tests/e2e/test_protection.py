"""A caseworker finds a person by a differently spelled name, records consent and uploads a
document; the data protection officer sees the access in the log and the retention queue.
axe finds no violation on any of these pages."""

import pytest
from playwright.sync_api import expect

from bridgeway.protection.models import AccessLogEntry, Consent, EncryptedDocument
from bridgeway.protection.services import subject_create
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_caseworker_and_dpo_journey(browser, live_server, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "files")}}}
    org = OrganisationFactory(name="Lumina")
    worker = MembershipFactory(organisation=org, role="caseworker").user
    dpo = MembershipFactory(organisation=org, role="dpo").user
    worker_secret, dpo_secret = with_totp(worker), with_totp(dpo)
    person = subject_create(org=org, actor=worker, display_name="Григорій Шевченко")

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, worker.email, worker_secret)
    page.get_by_role("navigation").get_by_role("link", name="Persons assisted").click()
    assert_accessible(page)
    page.locator("#id_q").fill("Hryhorii Shevchenko")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=person.reference).click()
    expect(page.get_by_role("heading", name=f"{person.reference} — Григорій Шевченко")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("Record consent").first.click()
    page.get_by_label("Purpose").select_option("referral")
    page.get_by_label("How it was given").select_option("written")
    page.get_by_label("Given on").fill("2026-03-01")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    assert Consent.objects.filter(subject=person).exists()

    upload = tmp_path / "statement.txt"
    upload.write_text("Заява про допомогу", encoding="utf-8")
    page.locator("#id_file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload, encrypted").click()
    expect(page.get_by_text("Document stored, encrypted.")).to_be_visible()
    assert EncryptedDocument.objects.filter(subject=person).exists()
    assert_accessible(page)
    context.close()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, dpo.email, dpo_secret)
    page.get_by_role("navigation").get_by_role("link", name="Access log").click()
    expect(page.get_by_role("cell", name=person.reference).first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("navigation").get_by_role("link", name="Retention").click()
    assert_accessible(page)
    page.get_by_role("navigation").get_by_role("link", name="Encryption keys").click()
    assert_accessible(page)
    page.get_by_role("navigation").get_by_role("link", name="Persons assisted").click()
    assert "Шевченко" not in page.content()  # the DPO sees references, not names
    assert_accessible(page)
    context.close()
    assert AccessLogEntry.objects.filter(user=worker, subject=person).exists()
