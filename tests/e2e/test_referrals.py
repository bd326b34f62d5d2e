"""A caseworker refers a case to the police → the police point of contact accepts and sees only
the shared sections → an outsider gets 404 → revocation removes access at once. axe finds nothing
on any page reached."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bridgeway.cases import services as cases
from bridgeway.orgs.models import OrganisationService
from bridgeway.protection.services import consent_record
from bridgeway.referrals.models import Referral
from tests.e2e.conftest import assert_accessible, at_home, sign_in
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    with_totp,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_refer_accept_outsider_revoke(browser, live_server):
    org = OrganisationFactory(name="Lumina", country="MD")
    police = OrganisationFactory(name="Anti-trafficking police", org_type="LawEnforcement",
                                 country="MD")
    OrganisationService.objects.create(organisation=police, service="identification")
    worker = MembershipFactory(organisation=org, role="caseworker").user
    poc = MembershipFactory(organisation=police, role="agency_poc").user
    worker_secret, poc_secret = with_totp(worker), with_totp(poc)
    outsider = UserFactory()
    case = cases.case_open(org=org, actor=worker, exploitation_types=["ForcedLabour"],
                           person=cases.PersonData(first_name="Наталія", second_name="Ткаченко",
                                                   phone="+37369000111"))
    consent_record(subject=case.subject, actor=worker, purpose="referral", method="written",
                   given_on=timezone.localdate() - dt.timedelta(days=2))

    # The caseworker refers the case, sharing identity and victim context only.
    context, page = new_page(browser, live_server)
    sign_in(page, worker.email, worker_secret)
    page.goto(f"/cases/{case.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Refer", exact=True).click()
    expect(page.get_by_text("Consent given on").first).to_be_visible()
    page.get_by_label("Refer to").select_option(str(police.pk))
    page.get_by_label("Identity (names, date of birth, gender, citizenship)").check()
    page.get_by_label("Victim context (coded facts and trafficking events)").check()
    page.locator("#id_sections_3").check()
    page.locator("input[name=services][value=identification]").check()
    page.locator("#id_reason").select_option("AdditionalServicesRequired")
    page.get_by_label("Urgency").select_option("urgent")
    assert_accessible(page)
    page.get_by_role("button", name="Send the referral").click()
    referral = Referral.objects.get()
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    expect(page.get_by_role("heading", name=f"Referral {referral.reference}")).to_be_visible()
    assert_accessible(page)

    # The police point of contact accepts it and sees only what was shared.
    poc_context, poc_page = new_page(browser, live_server)
    sign_in(poc_page, poc.email, poc_secret)
    poc_page.get_by_role("navigation").get_by_role("link", name="Referrals").click()
    assert_accessible(poc_page)
    poc_page.get_by_role("link", name=referral.reference).click()
    poc_page.get_by_role("button", name="Accept").click()
    poc_page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert Referral.objects.get().status == "accepted"
    expect(poc_page.get_by_role("heading", name="Identity")).to_be_visible()
    expect(poc_page.get_by_role("heading", name="Victim context")).to_be_visible()
    content = poc_page.content()
    assert "Наталія" in content and "Ткаченко" in content
    assert "+37369000111" not in content
    assert not poc_page.get_by_role("heading", name="Contact").count()
    assert_accessible(poc_page)

    # An outsider learns nothing.
    out_context, out_page = new_page(browser, live_server)
    out_page.goto("/accounts/login/")
    out_page.get_by_label("Email").fill(outsider.email)
    out_page.get_by_label("Password").fill(PASSWORD)
    out_page.get_by_role("button", name="Sign In").click()
    out_page.wait_for_url(at_home)
    response = out_page.goto(f"/referrals/{referral.pk}/")
    assert response.status == 404
    assert "Ткаченко" not in out_page.content()
    assert_accessible(out_page)
    out_context.close()

    # The caseworker revokes: the police page is gone at once.
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert Referral.objects.get().status == "revoked"
    assert_accessible(page)
    response = poc_page.goto(f"/referrals/{referral.pk}/")
    assert response.status == 404
    assert "Ткаченко" not in poc_page.content()
    assert_accessible(poc_page)
    poc_context.close()
    context.close()


def test_statistics_and_notifications_pages_are_accessible(browser, live_server):
    from bridgeway.referrals import services as referral_services

    org = OrganisationFactory(name="Lumina", country="MD")
    police = OrganisationFactory(name="Anti-trafficking police", org_type="LawEnforcement",
                                 country="MD")
    OrganisationService.objects.create(organisation=police, service="identification")
    supervisor = MembershipFactory(organisation=org, role="supervisor").user
    poc = MembershipFactory(organisation=police, role="agency_poc").user
    secret = with_totp(supervisor)
    with_totp(poc)
    case = cases.case_open(org=org, actor=supervisor, person=cases.PersonData(first_name="Ion"))
    referral_services.referral_send(case=case, actor=supervisor, recipient=police,
                                    sections=["identity"], services=["identification"],
                                    reason="AdditionalServicesRequired", urgency="normal",
                                    override_reason="The person asked us to refer her today")
    context, page = new_page(browser, live_server)
    sign_in(page, supervisor.email, secret)
    page.get_by_role("link", name="Referral statistics").click()
    expect(page.get_by_role("heading", name="By receiving organisation")).to_be_visible()
    expect(page.get_by_role("cell", name="Anti-trafficking police").first).to_be_visible()
    assert_accessible(page)
    page.goto("/notifications/")
    assert_accessible(page)
    context.close()
