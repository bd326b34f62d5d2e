"""Estimation in the browser: three organisations of a network hold overlapping cases by
construction; the coordinator runs linkage without any name reaching their screens, the
capture-history table is the construction, the estimate shows with its interval and its
assumptions, and an outsider gets 404. axe finds nothing on any page reached."""

import re

import pytest

from bridgeway.estimation import demo
from bridgeway.orgs.models import NetworkMembership
from tests.e2e.test_shell import assert_accessible, sign_in
from tests.estimation.app_helpers import all_names
from tests.factories import MembershipFactory, OrganisationFactory, with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_name_on(page) -> None:
    text = page.content()
    for name in all_names():
        assert not re.search(rf"\b{re.escape(name)}\b", text), name


def table_rows(locator) -> list[list[str]]:
    return [[c.strip() for c in row.locator("td").all_inner_texts()]
            for row in locator.locator("tbody tr").all()]


def test_coordinator_links_three_lists_and_estimates_without_seeing_a_name(browser, live_server):
    network = OrganisationFactory(name="Two Rivers Network", org_type="CSONetwork", country="RO")
    orgs = [OrganisationFactory(name=n, country="MD")
            for n in ("Alpha Shelter", "Beta Legal Aid", "Gamma Outreach")]
    lists = []
    for org in orgs:
        NetworkMembership.objects.create(network=network, member=org)
        supervisor = MembershipFactory(organisation=org, role="supervisor").user
        lists.append((org, supervisor, supervisor))
    expected = demo.overlapping_lists(network=network, lists=lists)
    coordinator = MembershipFactory(organisation=network, role="network_coordinator",
                                    user__full_name="Olena Coordinator").user
    outsider = MembershipFactory(organisation=OrganisationFactory(name="Elsewhere NGO"),
                                 role="caseworker").user

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30000)
    sign_in(page, coordinator.email, with_totp(coordinator))
    page.get_by_role("navigation").get_by_role("link", name="Estimation").click()
    assert_accessible(page)
    page.get_by_role("link", name="Two Rivers Network", exact=True).click()
    members = page.get_by_role("table", name="Participation of the network's members")
    assert [r[0] for r in table_rows(members)] == [o.name for o in orgs]
    no_name_on(page)
    assert_accessible(page)

    page.get_by_role("button", name="Run linkage").click()
    page.wait_for_url("**/estimation/runs/*/")
    histories = page.locator("#capture-histories")
    histories.wait_for()
    found = {"".join(row[:3]): int(row[3]) for row in table_rows(histories)}
    assert found == expected
    no_name_on(page)
    assert_accessible(page)
    run_url = page.url

    page.get_by_role("link", name="Estimate the hidden number from this run").click()
    page.get_by_label("Title").fill("Two Rivers, persons assisted")
    page.get_by_label("What each list counts").fill(
        "A: Alpha Shelter's cases; B: Beta Legal Aid's; C: Gamma Outreach's")
    page.get_by_label("Bootstrap replicates").fill("100")
    assert_accessible(page)
    page.get_by_role("button", name="Run the estimate").click()
    page.wait_for_url("**/estimation/estimates/*/")
    total = page.locator("#estimate-total")
    total.wait_for()
    assert re.search(r"Estimated number of victims: [\d,]+ \(95% interval [\d,]+ to [\d,]+\)",
                     total.inner_text()), total.inner_text()
    for words in ("Closed population", "List definitions", "Linkage errors",
                  "How the estimate moves across models"):
        assert page.get_by_text(words).first.is_visible(), words
    no_name_on(page)
    assert_accessible(page)
    estimate_url = page.url
    context.close()

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    sign_in(page, outsider.email, with_totp(outsider))
    assert page.get_by_role("navigation").get_by_role("link", name="Estimation").count() == 0
    for url in (run_url, estimate_url):
        response = page.goto(url)
        assert response.status == 404
        assert_accessible(page)
    context.close()


def test_supervisor_takes_part_and_reviews_a_possible_duplicate(browser, live_server):
    from datetime import date, timedelta

    from bridgeway.cases import services as cases

    network = OrganisationFactory(name="Two Rivers Network", org_type="CSONetwork", country="RO")
    org = OrganisationFactory(name="Alpha Shelter", country="MD")
    NetworkMembership.objects.create(network=network, member=org)
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    for i in range(30):
        cases.case_open(org=org, actor=supervisor, person=cases.PersonData(
            first_name=demo.FIRST_NAMES[i], second_name=demo.SURNAMES[i], gender="Feminine",
            birth_date=date(1980, 1, 1) + timedelta(days=173 * i)))
    for _twice in range(2):  # the same person registered again
        cases.case_open(org=org, actor=supervisor, person=cases.PersonData(
            first_name="Zora", second_name="Talpă", gender="Feminine",
            birth_date=date(1991, 4, 5)))

    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60000)
    sign_in(page, supervisor.email, with_totp(supervisor))
    page.get_by_role("navigation").get_by_role("link", name="Estimation").click()
    page.get_by_role("link", name="Alpha Shelter in Two Rivers Network").click()
    assert_accessible(page)
    page.get_by_label("Take part in the network's linkage").check()
    page.get_by_label("Linkage secret").fill("short")
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("The linkage secret must be at least 16 characters").is_visible()
    assert_accessible(page)
    page.get_by_label("Take part in the network's linkage").check()
    page.get_by_label("Linkage secret").fill(demo.DEMO_SECRET.decode())
    page.get_by_role("button", name="Save", exact=True).click()
    assert page.get_by_text("Participation saved.").is_visible()
    page.get_by_role("button", name="Encode our persons now").click()
    assert page.get_by_text("32 person(s) encoded.").is_visible()
    assert_accessible(page)

    page.goto("/estimation/")
    page.get_by_role("link", name="Duplicate check in Alpha Shelter").click()
    assert_accessible(page)
    page.get_by_role("button", name="Look for duplicates now").click()
    pairs = page.get_by_role("table", name="Pairs to review")
    pairs.wait_for()
    assert_accessible(page)
    pairs.get_by_role("link").first.click()
    assert page.get_by_role("table", name="The two persons").get_by_text("Zora").count() == 2
    assert page.get_by_role("cell", name="strong evidence for the same person").first.is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Same person").click()
    assert page.get_by_text("Decision recorded.").is_visible()
    assert pairs.get_by_role("cell", name="Same person").is_visible()
    context.close()
