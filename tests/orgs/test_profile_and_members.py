import pytest
from django.urls import reverse

from bridgeway.orgs.models import Membership, NetworkMembership, Organisation, OrganisationService
from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def profile(org, **changes):
    data = {"name": org.name, "org_type": org.org_type, "country": org.country, "city": org.city,
            "languages": org.languages, "phone": "", "email": "", "website": "",
            "description": "", "listed_in_directory": "on"}
    data.update(changes)
    return data


def test_admin_edits_profile_and_it_is_audited(cast):
    client = signed_in(cast.admin_a)
    response = client.post(reverse("orgs:edit", args=[cast.org_a.pk]),
                           profile(cast.org_a, city="Chișinău", languages=["ro", "uk"],
                                   phone="+37322123456"))
    assert response.status_code == 302
    cast.org_a.refresh_from_db()
    assert cast.org_a.city == "Chișinău" and cast.org_a.languages == ["ro", "uk"]
    event = AuditEvent.objects.filter(action="orgs.organisation.updated").get()
    assert event.payload == {"fields": ["city", "languages", "phone"]}
    assert "Chișinău" not in str(event.payload)


@pytest.mark.parametrize("changes,field", [
    ({"country": "XX"}, "country"),
    ({"languages": ["zz"]}, "languages"),
    ({"phone": "022 123 456"}, "phone"),
    ({"name": ""}, "name"),
    ({"org_type": "Church"}, "org_type"),
])
def test_bad_profile_input_names_the_field_and_writes_nothing(cast, changes, field):
    before = AuditEvent.objects.count()
    response = signed_in(cast.admin_a).post(reverse("orgs:edit", args=[cast.org_a.pk]),
                                            profile(cast.org_a, city="Changed", **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    cast.org_a.refresh_from_db()
    assert cast.org_a.city != "Changed"
    assert AuditEvent.objects.count() == before + 1  # the login only


def test_unknown_codes_through_the_service_name_the_code(cast):
    from django.core.exceptions import ValidationError

    from bridgeway.orgs.services import organisation_update

    with pytest.raises(ValidationError) as err:
        organisation_update(org=cast.org_a, actor=cast.admin_a,
                            data={"country": "ZZ", "languages": ["ro", "qq"]})
    assert "'ZZ'" in str(err.value.message_dict["country"])
    assert "qq" in str(err.value.message_dict["languages"])


def test_changing_type_that_would_orphan_roles_is_refused(cast):
    from tests.factories import MembershipFactory

    MembershipFactory(organisation=cast.police, role="caseworker")
    response = signed_in(cast.agency_poc)  # not an admin of police
    assert response.get(reverse("orgs:edit", args=[cast.police.pk])).status_code == 403
    admin = MembershipFactory(organisation=cast.police, role="org_admin").user
    from tests.factories import with_totp

    with_totp(admin)
    response = signed_in(admin).post(reverse("orgs:edit", args=[cast.police.pk]),
                                     profile(cast.police, org_type="NGO"))
    assert response.status_code == 200
    assert "Agency point of contact" in str(response.context["form"].errors["org_type"])
    assert Organisation.objects.get(pk=cast.police.pk).org_type == "LawEnforcement"


def test_services_are_saved_and_bad_rows_are_named(cast):
    client = signed_in(cast.admin_a)
    url = reverse("orgs:services", args=[cast.org_a.pk])
    response = client.post(url, {"shelter__on": "on", "shelter__countries": "MD, ro",
                                 "shelter__area": "Chișinău", "legal__on": "on"})
    assert response.status_code == 302
    assert {s.service: s.countries for s in cast.org_a.services.all()} == {
        "shelter": ["MD", "RO"], "legal": []}
    response = client.post(url, {"medical__on": "on", "medical__countries": "MD, Atlantis"})
    assert response.status_code == 400
    assert "Row 1" in response.content.decode() and "ATLANTIS" in response.content.decode()
    assert OrganisationService.objects.filter(organisation=cast.org_a).count() == 2


def test_admin_changes_a_role_and_deactivates_a_membership(cast):
    client = signed_in(cast.admin_a)
    m = Membership.objects.get(user=cast.caseworker_a, organisation=cast.org_a)
    response = client.post(reverse("orgs:membership_role", args=[cast.org_a.pk, m.pk]),
                           {"role": "supervisor"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.role == "supervisor"
    client.post(reverse("orgs:membership_active", args=[cast.org_a.pk, m.pk]), {"active": "0"})
    m.refresh_from_db()
    assert not m.is_active
    assert signed_in(cast.caseworker_a).get(
        reverse("orgs:members", args=[cast.org_a.pk])).status_code == 404
    codes = list(AuditEvent.objects.filter(object_id=str(m.pk)).values_list("action", flat=True))
    assert "orgs.membership.role_changed" in codes and "orgs.membership.deactivated" in codes


def test_the_last_admin_cannot_leave(cast):
    m = Membership.objects.get(user=cast.admin_a, organisation=cast.org_a)
    client = signed_in(cast.admin_a)
    response = client.post(reverse("orgs:membership_active", args=[cast.org_a.pk, m.pk]),
                           {"active": "0"}, follow=True)
    assert "at least one administrator" in response.content.decode()
    m.refresh_from_db()
    assert m.is_active


def test_admin_of_b_cannot_touch_memberships_of_a(cast):
    m = Membership.objects.get(user=cast.caseworker_a, organisation=cast.org_a)
    client = signed_in(cast.admin_b)
    r1 = client.post(reverse("orgs:membership_role", args=[cast.org_a.pk, m.pk]),
                     {"role": "org_admin"})
    # ...nor reach them by putting A's membership id under B's URL
    r2 = client.post(reverse("orgs:membership_role", args=[cast.org_b.pk, m.pk]),
                     {"role": "org_admin"})
    assert r1.status_code == 403 and r2.status_code == 404
    m.refresh_from_db()
    assert m.role == "caseworker"


def test_coordinator_manages_network_members_and_others_cannot(cast):
    url = reverse("orgs:network", args=[cast.network.pk])
    response = signed_in(cast.coordinator).post(url, {"member": cast.org_b.pk})
    assert response.status_code == 302
    assert NetworkMembership.objects.filter(network=cast.network, member=cast.org_b).exists()
    response = signed_in(cast.caseworker_a).post(url, {"member": cast.police.pk})
    assert response.status_code == 403
    assert not NetworkMembership.objects.filter(member=cast.police).exists()


def test_platform_admin_adds_an_organisation_and_others_cannot(cast):
    data = {"name": "New Shelter", "org_type": "NGO", "country": "UA", "languages": ["uk"],
            "listed_in_directory": "on", "first_admin_email": "head@example.org"}
    assert signed_in(cast.admin_a).post(reverse("orgs:create"), data).status_code == 404
    response = signed_in(cast.platform_admin).post(reverse("orgs:create"), data)
    assert response.status_code == 302
    org = Organisation.objects.get(name="New Shelter")
    assert org.invitations.get().role == "org_admin"
    response = signed_in(cast.platform_admin).post(reverse("orgs:create"), data)
    assert "already exists" in str(response.context["form"].errors), response.context["form"].errors
    assert Organisation.objects.filter(name="New Shelter").count() == 1


def test_platform_admin_cannot_give_themselves_a_role(cast):
    from django.core.exceptions import PermissionDenied

    from bridgeway.orgs.services import membership_grant

    with pytest.raises(PermissionDenied):
        membership_grant(org=cast.org_a, user=cast.platform_admin, role="org_admin",
                         actor=cast.platform_admin)
    assert not Membership.objects.filter(user=cast.platform_admin).exists()
