"""Directory search (UI and API, the same rules) and designated points of contact."""

import pytest
from django.urls import reverse

from bridgeway.orgs.models import OrganisationService, PointOfContact
from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    """Org A (MD, ro) gives shelter in MD; Org B (RO) gives legal aid in RO and MD (Bălți);
    the police (MD, ro+ru) identify in MD nationally."""
    cast.org_a.languages = ["ro", "uk"]
    cast.org_a.city = "Chișinău"
    cast.org_a.save()
    cast.org_b.languages = ["ro", "en"]
    cast.org_b.save()
    cast.police.languages = ["ru"]
    cast.police.save()
    OrganisationService.objects.create(organisation=cast.org_a, service="shelter",
                                       countries=["MD"], area="Chișinău")
    OrganisationService.objects.create(organisation=cast.org_b, service="legal",
                                       countries=["RO", "MD"], area="Bălți and the north")
    OrganisationService.objects.create(organisation=cast.org_b, service="shelter",
                                       countries=["RO"], area="Iași")
    OrganisationService.objects.create(organisation=cast.police, service="identification",
                                       countries=["MD"], area="national")
    return cast


def ui_names(user, **params):
    response = signed_in(user).get(reverse("orgs:directory"), params)
    assert response.status_code == 200, response.context["form"].errors
    return {org.name for org in response.context["page"].object_list}


def api_names(user, **params):
    response = signed_in(user).get("/api/v1/organisations/", params)
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["name"] for row in rows}


@pytest.mark.parametrize("names", [ui_names, api_names], ids=["ui", "api"])
@pytest.mark.parametrize("params,expected", [
    ({}, {"Org A", "Org B", "Police unit", "The Network"}),
    ({"q": "chiș"}, {"Org A"}),
    ({"country": "RO"}, {"Org B", "The Network"}),          # based in
    ({"serves": "MD"}, {"Org A", "Org B", "Police unit"}),  # coverage through services
    ({"serves": "RO"}, {"Org B"}),
    ({"area": "bălți"}, {"Org B"}),
    ({"service": "shelter"}, {"Org A", "Org B"}),
    ({"service": "shelter", "serves": "MD"}, {"Org A"}),    # the same service row
    ({"service": "legal", "area": "north"}, {"Org B"}),
    ({"service": "shelter", "area": "north"}, set()),
    ({"org_type": "LawEnforcement"}, {"Police unit"}),
    ({"language": "uk"}, {"Org A"}),
    ({"language": "ro"}, {"Org A", "Org B", "The Network"}),
    ({"language": "ru"}, {"Police unit"}),
    ({"country": "MD", "language": "ro"}, {"Org A"}),
])
def test_each_filter_narrows_the_directory(world, names, params, expected):
    assert names(world.caseworker_b, **params) == expected


def test_unlisted_organisation_stays_hidden_through_the_filters(world):
    OrganisationService.objects.create(organisation=world.hidden, service="shelter",
                                       countries=["MD"])
    assert "Hidden CSO" not in api_names(world.caseworker_b, serves="MD")
    assert "Hidden CSO" not in ui_names(world.caseworker_b, service="shelter")
    assert "Hidden CSO" in api_names(world.coordinator, serves="MD")
    assert api_names(world.outsider, serves="MD") == set()


def test_a_language_code_does_not_match_part_of_another(world):
    world.org_a.languages = ["rom"]  # Romany: "ro" must not match it
    world.org_a.save()
    assert "Org A" not in api_names(world.caseworker_b, language="ro")


def test_unknown_filter_value_is_a_clear_error_in_the_ui(world):
    response = signed_in(world.caseworker_b).get(reverse("orgs:directory"), {"serves": "XX"})
    assert response.status_code == 400
    assert response.context["form"].errors["serves"]


# --- points of contact --------------------------------------------------------------------

def contact_data(user, **changes):
    data = {"user": user.pk, "function": "Head of identification", "phone": "+37322000101",
            "email": "poc@police.example", "availability": "Mon–Fri 8–17",
            "languages": ["ro", "ru"], "alternative_channel": "Duty officer +37322000100"}
    data.update(changes)
    return data


@pytest.fixture
def police_admin(cast):
    user = MembershipFactory(organisation=cast.police, role="org_admin").user
    with_totp(user)
    return user


def test_org_admin_designates_a_point_of_contact_everyone_sees_it(cast, police_admin):
    client = signed_in(police_admin)
    response = client.post(reverse("orgs:contact_add", args=[cast.police.pk]),
                           contact_data(cast.agency_poc))
    assert response.status_code == 302
    contact = PointOfContact.objects.get()
    assert contact.languages == ["ro", "ru"]
    event = AuditEvent.objects.get(action="orgs.contact.added")
    assert event.payload == {"user": cast.agency_poc.pk}
    assert event.organisation_id == cast.police.pk
    for who in [cast.caseworker_a, cast.caseworker_b, cast.coordinator]:
        page = signed_in(who).get(reverse("orgs:detail", args=[cast.police.pk])).content.decode()
        assert "Head of identification" in page and "+37322000101" in page
        api = signed_in(who).get(
            f"/api/v1/organisations/{cast.police.pk}/contacts/").json()["results"]
        assert api[0]["phone"] == "+37322000101" and api[0]["user"] == cast.agency_poc.pk
    assert signed_in(cast.outsider).get(
        f"/api/v1/organisations/{cast.police.pk}/contacts/").status_code == 404


def test_contact_edit_and_removal_are_audited(cast, police_admin):
    client = signed_in(police_admin)
    client.post(reverse("orgs:contact_add", args=[cast.police.pk]), contact_data(cast.agency_poc))
    contact = PointOfContact.objects.get()
    response = client.post(reverse("orgs:contact_edit", args=[cast.police.pk, contact.pk]),
                           contact_data(cast.agency_poc, availability="24/7"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="orgs.contact.updated").payload == {
        "fields": ["availability"], "user": cast.agency_poc.pk}
    response = client.post(reverse("orgs:contact_remove", args=[cast.police.pk, contact.pk]))
    assert response.status_code == 302
    assert not PointOfContact.objects.exists()
    assert AuditEvent.objects.filter(action="orgs.contact.removed").count() == 1


def test_a_contact_who_leaves_the_organisation_is_no_longer_shown(cast, police_admin):
    signed_in(police_admin).post(reverse("orgs:contact_add", args=[cast.police.pk]),
                                 contact_data(cast.agency_poc))
    cast.agency_poc.memberships.update(is_active=False)
    page = signed_in(cast.caseworker_a).get(reverse("orgs:detail", args=[cast.police.pk]))
    assert "Head of identification" not in page.content.decode()


@pytest.mark.parametrize("who,status", [
    ("agency_poc", 403), ("caseworker_a", 403), ("admin_a", 403), ("coordinator", 403),
    ("platform_admin", 403), ("outsider", 404),
])
def test_only_the_organisations_admin_manages_contacts(cast, police_admin, who, status):
    client = signed_in(getattr(cast, who))
    url = reverse("orgs:contact_add", args=[cast.police.pk])
    assert client.get(url).status_code == status
    assert client.post(url, contact_data(cast.agency_poc)).status_code == status
    api = client.post(f"/api/v1/organisations/{cast.police.pk}/contacts/",
                      contact_data(cast.agency_poc), content_type="application/json")
    assert api.status_code == status
    assert not PointOfContact.objects.exists()


def test_contacts_of_an_unlisted_organisation_are_hidden_from_outsiders(cast):
    admin = MembershipFactory(organisation=cast.hidden, role="org_admin").user
    with_totp(admin)
    from bridgeway.orgs.services import contact_add

    contact_add(org=cast.hidden, actor=admin, user=admin, function="Director",
                email="d@hidden.example")
    url = f"/api/v1/organisations/{cast.hidden.pk}/contacts/"
    assert signed_in(cast.caseworker_b).get(url).status_code == 404
    assert signed_in(cast.coordinator).get(url).status_code == 200


@pytest.mark.parametrize("changes,field", [
    ({"phone": "022 000 101"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"phone": "", "email": ""}, "phone"),
    ({"function": ""}, "function"),
    ({"languages": ["zz"]}, "languages"),
])
def test_bad_contact_input_names_the_field_and_writes_nothing(cast, police_admin, changes, field):
    client = signed_in(police_admin)
    before = AuditEvent.objects.count()
    response = client.post(reverse("orgs:contact_add", args=[cast.police.pk]),
                           contact_data(cast.agency_poc, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    api = client.post(f"/api/v1/organisations/{cast.police.pk}/contacts/",
                      contact_data(cast.agency_poc, **changes), content_type="application/json")
    assert api.status_code == 400
    assert field in api.json()
    assert PointOfContact.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_contact_must_be_a_member_and_only_once(cast, police_admin):
    client = signed_in(police_admin)
    url = f"/api/v1/organisations/{cast.police.pk}/contacts/"
    stranger = client.post(url, contact_data(cast.caseworker_a), content_type="application/json")
    assert stranger.status_code == 400 and "user" in stranger.json()
    assert client.post(url, contact_data(cast.agency_poc),
                       content_type="application/json").status_code == 201
    twice = client.post(url, contact_data(cast.agency_poc), content_type="application/json")
    assert twice.status_code == 400 and "already" in twice.json()["user"][0]
    assert PointOfContact.objects.count() == 1


def test_contact_api_patch_and_delete(cast, police_admin):
    client = signed_in(police_admin)
    url = f"/api/v1/organisations/{cast.police.pk}/contacts/"
    contact_id = client.post(url, contact_data(cast.agency_poc),
                             content_type="application/json").json()["id"]
    bad = client.patch(f"{url}{contact_id}/", {"phone": "12ab"}, content_type="application/json")
    assert bad.status_code == 400 and "phone" in bad.json()
    assert PointOfContact.objects.get().phone == "+37322000101"
    ok = client.patch(f"{url}{contact_id}/", {"phone": "+37322000999"},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["phone"] == "+37322000999"
    other = signed_in(cast.admin_a).delete(f"{url}{contact_id}/")
    assert other.status_code == 403
    assert client.delete(f"{url}{contact_id}/").status_code == 204
    assert not PointOfContact.objects.exists()


def test_other_organisations_contact_id_is_404(cast, police_admin):
    from bridgeway.orgs.services import contact_add

    contact = contact_add(org=cast.org_a, actor=cast.admin_a, user=cast.supervisor_a,
                          function="Supervisor", phone="+37322000201")
    url = reverse("orgs:contact_edit", args=[cast.police.pk, contact.pk])
    assert signed_in(police_admin).get(url).status_code == 404
