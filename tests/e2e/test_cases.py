"""A caseworker does intake → identification with indicators → a service → a note; an outsider
gets 404; axe finds nothing on the pages reached."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bridgeway.cases.models import Assessment, Case, CaseNote, ServiceDelivery
from tests.e2e.conftest import assert_accessible, at_home, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_intake_identification_service_note(browser, live_server):
    org = OrganisationFactory(name="Lumina")
    worker = MembershipFactory(organisation=org, role="caseworker").user
    secret = with_totp(worker)
    outsider = UserFactory()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, worker.email, secret)
    page.get_by_role("navigation").get_by_role("link", name="Cases").click()
    assert_accessible(page)
    page.get_by_role("link", name="Open a case").click()
    page.locator("#id_first_name").fill("Наталія")
    page.locator("#id_second_name").fill("Ткаченко")
    page.locator("#id_birth_date").fill("1994-07-12")
    page.get_by_label("Forced labour").check()
    assert_accessible(page)
    page.get_by_role("button", name="Open the case").click()
    case = Case.objects.get()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_role("heading", name=f"{case.reference} — Наталія Ткаченко")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Assess with the indicators").click()
    notice = page.get_by_role("note").filter(has_text="Not verified against the published source")
    expect(notice).to_be_visible()  # the shipped sets and rule are reconstructed
    page.locator("summary", has_text="Deceptive recruitment").click()  # unfold
    page.get_by_label("Deceived about the nature of the job, location or employer").check()
    page.locator('input[name="note_adult_labour.deceptive_recruitment.1"]').fill(
        "Was promised hotel work in Milan")
    page.get_by_label("Deceived about conditions of work").check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert Assessment.objects.filter(case=case).exists()
    page.get_by_text("indicators do not meet the rule").click()  # open the assessment
    expect(page.get_by_text("Was promised hotel work in Milan")).to_be_visible()
    expect(page.get_by_text("Deceived about the nature of the job, location or employer")
           .first).to_be_visible()
    assert_accessible(page)

    # The state's formal identification, recorded beside the organisation's own view.
    page.get_by_text("Record a formal identification received from a state body").click()
    page.locator("#id_formal-decision_org").select_option("Police")
    page.locator("#id_formal-decision_body").fill("Border police unit")
    page.locator("#id_formal-status").select_option("PossibleVictimOfTrafficking")
    page.locator("#id_formal-decided_on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the formal identification").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    side_by_side = page.get_by_role("table", name="The organisation's identification and the "
                                                  "formal state identification")
    expect(side_by_side.get_by_text("Border police unit")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("Record a service").click()
    page.locator("#id_service").select_option("psychological")
    # A recent date: a fixed one would in time fall outside what the service rules accept.
    page.locator("#id_started_on").fill((timezone.localdate() - dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Record the service").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assert ServiceDelivery.objects.filter(case=case).exists()

    page.locator("#id_body").fill("Feels safe at the shelter.")
    page.get_by_role("button", name="Add the note").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_text("Feels safe at the shelter.")).to_be_visible()
    assert CaseNote.objects.filter(case=case).exists()
    assert_accessible(page)
    context.close()

    # An outsider signed in (no MFA role) gets a 404 and learns nothing.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(outsider.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    response = page.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    assert "Ткаченко" not in page.content()
    assert_accessible(page)
    context.close()
