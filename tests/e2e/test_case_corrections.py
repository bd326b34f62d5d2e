"""A caseworker corrects a person's date of birth (the case becomes a child's case and the page
says so); a supervisor who loaded the same form meanwhile gets the conflict page, reads what
changed and saves again on purpose. axe finds nothing on these pages."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from bridgeway.cases import services
from bridgeway.cases.models import Case, Person
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_correct_the_person_then_a_conflict_and_a_deliberate_second_save(browser, live_server):
    org = OrganisationFactory(name="Lumina")
    worker = MembershipFactory(organisation=org, role="caseworker").user
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    worker_secret, supervisor_secret = with_totp(worker), with_totp(supervisor)
    case = services.case_open(org=org, actor=worker, opened_on=dt.date(2025, 3, 1),
                              person=services.PersonData(first_name="Olena",
                                                         birth_date=dt.date(1995, 3, 3)))

    second = browser.new_context(base_url=live_server.url).new_page()
    second.set_default_timeout(15000)
    sign_in(second, supervisor.email, supervisor_secret)
    second.goto(f"/cases/{case.pk}/person/")

    first = browser.new_context(base_url=live_server.url).new_page()
    first.set_default_timeout(15000)
    sign_in(first, worker.email, worker_secret)
    first.goto(f"/cases/{case.pk}/")
    first.get_by_role("link", name="Correct the person's details").click()
    assert_accessible(first)
    first.locator("#id_birth_date").fill("2012-03-03")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(f"**/cases/{case.pk}/")
    expect(first.get_by_text("the person is now a child")).to_be_visible()
    assert Case.objects.get(pk=case.pk).is_child

    second.locator("#id_phone").fill("+37369000000")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_text("Someone else saved this case")).to_be_visible()
    expect(second.get_by_role("table").get_by_text("Date of birth")).to_be_visible()
    assert_accessible(second)
    assert Person.objects.get(case=case).phone is None
    second.get_by_role("button", name="Save my values anyway").click()
    second.wait_for_url(f"**/cases/{case.pk}/")
    person = Person.objects.get(case=case)
    assert person.phone == "+37369000000" and person.birth_date == dt.date(2012, 3, 3)
