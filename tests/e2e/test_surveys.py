"""A coordinator uploads an XLSForm with skip logic, a constraint, a choice filter and a repeat →
a member fills it in (a question appears and disappears as they answer, a constraint message
shows, the repeat takes three entries) → the coordinator sees the results split by country and
opens the free-text answers behind their link → an outsider gets a 404; axe finds nothing on the
pages reached."""

import pytest
from playwright.sync_api import expect

from bridgeway.surveys.models import Submission, Survey
from tests.e2e.conftest import assert_accessible, at_home, sign_in
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    with_totp,
)
from tests.surveys.forms import member_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def password_sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)


def test_upload_fill_with_live_logic_results_and_outsider(browser, live_server):
    from bridgeway.orgs.models import NetworkMembership

    org = OrganisationFactory(name="Lumina", country="MD")
    network = OrganisationFactory(name="Two Rivers", org_type="CSONetwork", country="RO")
    NetworkMembership.objects.create(network=network, member=org)
    worker = MembershipFactory(organisation=org, role="caseworker").user
    secret = with_totp(worker)
    coordinator = MembershipFactory(organisation=network, role="network_coordinator").user
    outsider = UserFactory()

    # The coordinator uploads the form and opens the survey.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    password_sign_in(page, coordinator.email)
    page.get_by_role("navigation").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="New survey from an XLSForm").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Member survey 2026")
    page.get_by_label("Smallest group shown").fill("1")
    page.locator("#id_xlsform").set_input_files(
        files=[{"name": "member.xlsx", "mimeType": XLSX, "buffer": member_form()}])
    page.get_by_role("button", name="Create the survey").click()
    survey = Survey.objects.get()
    page.wait_for_url(f"**/surveys/{survey.pk}/")
    page.get_by_role("button", name="Open the survey for answers").click()
    expect(page.get_by_role("button", name="Close the survey")).to_be_visible()
    assert_accessible(page)
    context.close()

    # A member fills it in.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, worker.email, secret)
    page.goto(f"/surveys/{survey.pk}/")
    page.get_by_role("link", name="Answer the survey").click()
    assert_accessible(page)
    share = page.get_by_label("Share of state funding (%)")
    page.get_by_label("Organisation name").fill("Lumina")
    page.get_by_label("No", exact=True).check()
    expect(share).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    expect(share).to_be_visible()
    share.fill("150")
    share.blur()
    expect(page.get_by_text("Enter a percentage between 0 and 100")).to_be_visible()
    share.fill("35")
    expect(page.get_by_text("Enter a percentage between 0 and 100")).to_be_hidden()
    page.get_by_label("Ukraine").check()
    expect(page.get_by_label("Kyiv")).to_be_visible()
    expect(page.get_by_label("Chișinău")).to_be_hidden()
    page.get_by_label("Kyiv").check()
    for i, role in enumerate(["lawyer", "social worker", "psychologist"]):
        page.get_by_role("button", name="Add “Staff member”").click()
        field = page.locator(f"#f-staff-{i}-role")
        expect(field).to_be_visible()
        field.fill(role)
    expect(page.locator("#f-staff-2-role")).to_have_value("psychologist")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the answers").click()
    page.wait_for_url(f"**/surveys/{survey.pk}/submissions/**")
    sub = Submission.objects.get()
    assert sub.status == "submitted" and len(sub.answers["staff"]) == 3
    assert sub.answers["share"] == 35 and sub.answers["city"] == "kyiv"
    assert_accessible(page)
    context.close()

    # The coordinator sees the results split by country.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    password_sign_in(page, coordinator.email)
    page.goto(f"/surveys/{survey.pk}/results/")
    page.get_by_label("Split by").select_option("_country")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Do you receive state funding?")).to_be_visible()
    expect(page.get_by_text("Moldova").first).to_be_visible()
    assert_accessible(page)
    # Free text is behind a link, opened on demand (a group of one is shown only at threshold 1).
    expect(page.get_by_text("psychologist")).to_have_count(0)
    Survey.objects.filter(pk=survey.pk).update(threshold=1)
    page.goto(f"/surveys/{survey.pk}/results/")
    page.get_by_role("link", name="Read the answers (Role, All respondents)").click()
    expect(page.get_by_text("psychologist")).to_be_visible()
    assert_accessible(page)
    texts_url = page.url
    context.close()

    # An outsider gets a 404.
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    password_sign_in(page, outsider.email)
    response = page.goto(f"/surveys/{survey.pk}/")
    assert response.status == 404
    response = page.goto(f"/surveys/{survey.pk}/results/")
    assert response.status == 404
    response = page.goto(texts_url)
    assert response.status == 404
    context.close()
