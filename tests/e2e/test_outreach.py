"""Outreach in the browser: a facility visit recorded offline arrives exactly once when the
connection is back; the same record edited on two devices gives a conflict page that loses
nothing; a refused access becomes a civic-space incident in two clicks; an outsider gets 404;
axe finds nothing on the pages reached."""

import time

import pytest
from playwright.sync_api import expect

from bridgeway.civicspace.models import Incident
from bridgeway.civicspace.services import restriction_types_seed
from bridgeway.orgs.models import NetworkMembership
from bridgeway.outreach import services
from bridgeway.outreach.models import AccessRequest, Activity
from tests.e2e.conftest import assert_accessible, at_home, sign_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, with_totp
from tests.outreach.conftest import activity_values

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    restriction_types_seed()
    org = OrganisationFactory(name="Lumina", country="MD")
    network = OrganisationFactory(name="Two Rivers", org_type="CSONetwork", country="RO")
    NetworkMembership.objects.create(network=network, member=org)
    worker = MembershipFactory(organisation=org, role="caseworker").user
    secret = with_totp(worker)
    facility = services.facility_add(actor=worker, org=org, data=services.FacilityData(
        name="Detention centre Vadul", facility_type="detention", country="MD",
        authority="Border Police", network_id=network.pk))
    return {"org": org, "worker": worker, "secret": secret, "facility": facility}


def _context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _wait_for(predicate, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _service_worker_ready(page) -> bool:
    """The page is controlled by the outreach service worker. `serviceWorker.ready` never settles
    when a registration failed (a slow first fetch of sw.js), so wait at most 10 s and load again:
    a hang here once held a whole CI run."""
    for _ in range(3):
        if page.evaluate("Promise.race([navigator.serviceWorker.ready.then(() => true),"
                         " new Promise(r => setTimeout(() => r(false), 10000))])"):
            return True
        page.reload()
    return False


def test_a_visit_recorded_offline_arrives_exactly_once(browser, live_server, world):
    context, page = _context(browser, live_server)
    sign_in(page, world["worker"].email, world["secret"])
    page.goto("/outreach/")
    assert_accessible(page)
    page.goto("/outreach/access/new/")
    assert _service_worker_ready(page), "the outreach service worker never became ready"
    page.reload()  # now controlled by the service worker, which has kept the form
    context.set_offline(True)
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    page.goto("/outreach/access/new/")  # from the service worker's cache
    page.locator("#id_facility").select_option(str(world["facility"].pk))
    page.locator("#id_requested_on").fill("2026-02-01")
    page.locator("#id_outcome").select_option("granted")
    page.locator("#id_answered_on").fill("2026-02-03")
    page.locator("#id_visited_on").fill("2026-02-05")
    page.locator("#id_people_met").fill("Head of the centre")
    page.locator("#id_presumed_victims").fill("2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-outbox-saved]")).to_be_visible()
    assert_accessible(page)
    assert AccessRequest.objects.count() == 0
    page.goto("/outreach/cases-are-never-cached/")  # any other page: says offline
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    page.goto("/outreach/")
    expect(page.locator("[data-outbox-count]")).to_contain_text("1 record(s) wait")
    context.set_offline(False)
    assert _wait_for(lambda: AccessRequest.objects.count() == 1)
    expect(page.locator("[data-outbox-count]")).to_have_text("Nothing waits to be sent.")
    page.reload()
    page.wait_for_timeout(1000)
    assert AccessRequest.objects.count() == 1
    visit = AccessRequest.objects.get()
    assert services.values_of(visit, "access")["people_met"] == "Head of the centre"
    # Signing out deletes the outbox's key and the cached pages.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/outreach/" not in url)
    page.wait_for_load_state()
    names = page.evaluate("indexedDB.databases().then(l => l.map(d => d.name))")
    caches = page.evaluate("caches.keys()")
    assert "bridgeway-outreach" not in names and not [c for c in caches if "bridgeway" in c]
    context.close()


def test_the_same_record_edited_on_two_devices_gives_a_conflict_page(browser, live_server, world):
    activity = services.record_create(kind="activity", actor=world["worker"], org=world["org"],
                                      values=activity_values())
    phone, p1 = _context(browser, live_server)
    laptop, p2 = _context(browser, live_server)
    # Two devices: the worker's phone and a colleague's laptop (a second sign-in of the same
    # person would need a second TOTP window).
    supervisor = MembershipFactory(organisation=world["org"], role="supervisor").user
    sign_in(p1, world["worker"].email, world["secret"])
    sign_in(p2, supervisor.email, with_totp(supervisor))
    for p in (p1, p2):
        p.goto(f"/outreach/activities/{activity.pk}/edit/")
    p2.locator("#id_region").fill("Balti")
    p2.locator("#id_materials").fill("Leaflets in Romanian")
    p2.get_by_role("button", name="Save").click()
    expect(p2.get_by_text("Saved.")).to_be_visible()
    p1.locator("#id_region").fill("Cahul")
    p1.get_by_role("button", name="Save").click()
    expect(p1.get_by_role("heading", name="Someone else changed this record")).to_be_visible()
    row = p1.locator("[data-conflict-field=region]")
    expect(row).to_contain_text("Cahul")
    expect(row).to_contain_text("Balti")
    assert_accessible(p1)
    expect(p1.locator("#id_region")).to_have_value("Cahul")
    p1.get_by_role("button", name="Save my values").click()
    expect(p1.get_by_text("Saved.")).to_be_visible()
    activity = Activity.objects.get()
    assert (activity.region, activity.materials) == ("Cahul", "Leaflets in Romanian")
    phone.close()
    laptop.close()


def test_a_refused_access_becomes_an_incident_in_two_clicks(browser, live_server, world):
    refused = services.record_create(kind="access", actor=world["worker"], org=world["org"],
                                     values={"facility": world["facility"].pk,
                                             "requested_on": "2026-02-01", "outcome": "refused",
                                             "answered_on": "2026-02-04",
                                             "reason_given": "Security"})
    context, page = _context(browser, live_server)
    sign_in(page, world["worker"].email, world["secret"])
    page.goto(f"/outreach/access/{refused.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Report as a civic-space incident").click()
    assert_accessible(page)
    page.get_by_role("button", name="Report the incident").click()
    incident = Incident.objects.get()
    page.wait_for_url(f"**/civic-space/incidents/{incident.pk}/")
    expect(page.get_by_role("link", name="Access request: Detention centre Vadul, 2026-02-01")) \
        .to_be_visible()
    assert AccessRequest.objects.get().incident_id == incident.pk
    context.close()


def test_an_outsider_gets_404(browser, live_server, world):
    refused = services.record_create(kind="access", actor=world["worker"], org=world["org"],
                                     values={"facility": world["facility"].pk,
                                             "requested_on": "2026-02-01"})
    outsider = UserFactory()
    context, page = _context(browser, live_server)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(outsider.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(at_home)
    for url in (f"/outreach/access/{refused.pk}/", "/outreach/", "/outreach/access/new/"):
        assert page.goto(url).status == 404, url
    assert_accessible(page)
    context.close()
