"""An organisation administrator creates a task force, adds a CSO as a full member and records a
meeting; axe finds no accessibility violation on any screen on the way."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from bridgeway.orgs.models import CoordinationMechanism, MechanismMeeting
from bridgeway.protection.audit import verify_chain
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_org_admin_creates_task_force_adds_cso_and_records_meeting(page):
    police = OrganisationFactory(name="Anti-Trafficking Police Unit", org_type="LawEnforcement",
                                 country="MD")
    OrganisationFactory(name="Lumina Centre", country="MD")
    admin = MembershipFactory(organisation=police, role="org_admin",
                              user__full_name="Sergiu Moraru").user
    secret = with_totp(admin)

    sign_in(page, admin.email, secret)
    page.get_by_role("navigation").get_by_role("link", name="Task forces").click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_role("link", name="New task force").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("National Task Force")
    page.get_by_label("Convening organisation").select_option(label=police.name)
    page.get_by_label("Country").select_option("MD")
    page.get_by_role("button", name="Create task force").click()
    page.get_by_role("heading", name="National Task Force").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Add a member organisation").click()
    assert_accessible(page)
    page.get_by_label("Organisation").select_option(label="Lumina Centre")
    page.get_by_role("button", name="Add member").click()
    page.get_by_role("cell", name="Full member").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Record a meeting").click()
    expect(page.get_by_text("Do not write any victim")).to_be_visible()
    # A date in the future is refused, with the message next to the field.
    page.get_by_label("Date of the meeting").fill("2099-01-01")
    page.get_by_label("Lumina Centre").check()
    page.get_by_role("button", name="Save meeting record").click()
    expect(page.get_by_text("The date is in the future")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Date of the meeting").fill((date.today() - timedelta(days=7)).isoformat())
    page.get_by_label("Lumina Centre").check()
    page.get_by_label(police.name).check()
    page.get_by_label("Decisions").fill("Joint identification interviews on request.")
    page.get_by_role("button", name="Save meeting record").click()
    page.get_by_text("Joint identification interviews on request.").wait_for()
    assert_accessible(page)

    mechanism = CoordinationMechanism.objects.get()
    assert set(mechanism.members.values_list("role", flat=True)) == {"chair", "member"}
    assert MechanismMeeting.objects.get().attendees.count() == 2
    assert verify_chain().ok
