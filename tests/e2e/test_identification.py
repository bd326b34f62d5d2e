"""The identification screen in an interview, on a phone: dimensions unfold, a ticked indicator
shows its source and note, the result and its "why" follow the ticks (from the server), and a
decision dated on the interview day is accepted. axe finds nothing; nothing overflows at 390 px."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bridgeway.cases import services
from bridgeway.cases.models import Assessment, Decision
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_identification_during_an_interview_on_a_phone(browser, live_server):
    org = OrganisationFactory(name="Lumina")
    worker = MembershipFactory(organisation=org, role="caseworker").user
    secret = with_totp(worker)
    case = services.case_open(org=org, actor=worker,
                              person=services.PersonData(first_name="Ana", second_name="Pop",
                                                         birth_date=dt.date(1994, 7, 12)),
                              exploitation_types=["ForcedLabour"])
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, worker.email, secret)
    page.goto(f"/cases/{case.pk}/identification/")
    today = timezone.localdate().isoformat()
    expect(page.get_by_label("Date of the assessment (the interview)")).to_have_value(today)
    # The developers' provenance is folded behind "Source".
    expect(page.get_by_text("Read from a secondary transcription", exact=False)).to_be_hidden()
    expect(page.get_by_text("No indicator ticked yet.")).to_be_visible()
    _no_horizontal_overflow(page)
    assert_accessible(page)

    page.locator("summary", has_text="Deceptive recruitment").click()
    note = page.locator('input[name="note_adult_labour.deceptive_recruitment.1"]')
    expect(note).to_be_hidden()  # source and note appear only once the indicator is ticked
    page.get_by_label("Deceived about the nature of the job, location or employer").check()
    expect(note).to_be_visible()
    expect(page.locator('select[name="src_adult_labour.deceptive_recruitment.1"]')).to_be_visible()
    note.fill("Promised hotel work")
    live = page.locator("#live-result")
    expect(live.get_by_text("Not (yet) pointing to trafficking")).to_be_visible()
    live.get_by_text("Why").click()
    expect(live.get_by_text("not positive: 1 strong, 0 medium, 0 weak present")).to_be_visible()
    live.get_by_text("Why").click()  # folded again, so it covers nothing
    page.get_by_label("Deceived about conditions of work").check()
    expect(page.locator("details.dimension").first.locator("[data-dim-count]")).to_have_text(
        "2 ticked")
    live.get_by_text("Why").click()
    # One strong and one medium: the dimension turns positive.
    expect(live.get_by_text("positive: 1 strong + 1 medium or weak present")).to_be_visible()
    _no_horizontal_overflow(page)
    assert_accessible(page)

    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    assessment = Assessment.objects.get(case=case)
    assert assessment.assessed_on == timezone.localdate()

    # The decision, dated on the interview day, is accepted.
    section = page.get_by_role("region", name="Identification")
    section.locator("#id_decided_on").fill(today)
    section.locator("#id_status").select_option("PossibleVictimOfTrafficking")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    assert Decision.objects.get(case=case).decided_on == timezone.localdate()
    context.close()
