"""Issue 18 item 1 in the browser: a caseworker's and a supervisor's home page is their work
queue. An item appears when it should, is one click from the thing itself, and leaves once done;
the menu counts what waits; axe finds nothing on the pages reached."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bridgeway.cases import services as cases
from bridgeway.cases.indicator_sets import set_for
from bridgeway.cases.models import CaseSettings, Decision
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    org = OrganisationFactory(name="Lumina")
    worker = MembershipFactory(organisation=org, role="caseworker",
                               user__full_name="Ana Rusu").user
    boss = MembershipFactory(organisation=org, role="supervisor",
                             user__full_name="Vera Lungu").user
    return org, worker, with_totp(worker), boss, with_totp(boss)


def open_case(org, worker):
    return cases.case_open(org=org, actor=worker,
                           person=cases.PersonData(first_name="Ion",
                                                   birth_date=dt.date(1990, 1, 1)))


def test_caseworker_home_lists_cases_and_tasks_until_done(page, team):
    org, worker, secret, _boss, _ = team
    case = open_case(org, worker)
    cases.task_add(case=case, actor=worker, title="Call the lawyer",
                   due_on=timezone.localdate() - dt.timedelta(days=1))

    sign_in(page, worker.email, secret)
    queue = page.get_by_role("region", name="Your tasks due this week")
    task_link = queue.get_by_role("link", name=f"Task in case {case.reference}")
    expect(task_link).to_be_visible()
    expect(queue.get_by_text("Urgent")).to_be_visible()
    cases_queue = page.get_by_role("region", name="Your open cases")
    expect(cases_queue.get_by_role("link", name=case.reference)).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Cases (1)")).to_be_visible()
    assert "Ion" not in page.locator("main").inner_text()  # references, never names
    assert_accessible(page)

    task_link.click()  # one click: the case's plan and tasks
    page.wait_for_url(f"**/cases/{case.pk}/work/")
    page.get_by_role("button", name="Done").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Bridgeway").first.click()
    expect(page.get_by_role("region", name="Your open cases")).to_be_visible()
    assert page.get_by_role("region", name="Your tasks due this week").count() == 0
    expect(page.get_by_role("navigation").get_by_role("link", name="Cases", exact=True)
           ).to_be_visible()
    assert_accessible(page)


def test_supervisor_approves_a_decision_from_the_home_queue(page, team):
    org, worker, _, boss, boss_secret = team
    CaseSettings.objects.create(organisation=org, decisions_need_approval=True)
    case = open_case(org, worker)
    assessment = cases.assessment_record(case=case, actor=worker,
                                         indicator_set=set_for(child=False, sexual=False),
                                         entries=[])
    decision = cases.decision_record(case=case, actor=worker, assessment=assessment,
                                     status="ActualVictimOfTrafficking")

    sign_in(page, boss.email, boss_secret)
    queue = page.get_by_role("region", name="Decisions waiting for your approval")
    expect(queue.get_by_role("link", name=f"Decision in case {case.reference}")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Notifications (1)")
           ).to_be_visible()
    assert_accessible(page)

    queue.get_by_role("link", name="Open the list").click()
    page.wait_for_url("**/cases/approvals/")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=f"Approve the decision in case {case.reference}").click()
    page.wait_for_url("**/cases/approvals/")
    expect(page.get_by_text("Decision reviewed.")).to_be_visible()
    expect(page.get_by_text("No decision is waiting for your approval.")).to_be_visible()
    assert_accessible(page)
    assert Decision.objects.get(pk=decision.pk).state == Decision.State.IN_FORCE

    page.get_by_role("link", name="Bridgeway").first.click()
    assert page.get_by_role("region", name="Decisions waiting for your approval").count() == 0
    assert_accessible(page)
