"""Who may see and change organisations, people and the audit log; everyone else gets 404
(or 403 where the organisation itself is public to them)."""

import pytest
from django.urls import reverse

from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def names_in_directory(user):
    response = signed_in(user).get(reverse("orgs:directory"))
    assert response.status_code == 200
    return {org.name for org in response.context["page"].object_list}


def test_directory_shows_listed_organisations_to_members(cast):
    listed = {"Org A", "Org B", "Police unit", "The Network"}
    assert names_in_directory(cast.caseworker_a) == listed
    assert names_in_directory(cast.agency_poc) == listed


def test_unlisted_organisation_is_seen_by_its_members_and_its_network_only(cast):
    from tests.factories import MembershipFactory

    member = MembershipFactory(organisation=cast.hidden, role="researcher").user
    assert "Hidden CSO" in names_in_directory(member)
    assert "Hidden CSO" in names_in_directory(cast.coordinator)
    assert "Hidden CSO" not in names_in_directory(cast.caseworker_b)
    url = reverse("orgs:detail", args=[cast.hidden.pk])
    assert signed_in(cast.caseworker_b).get(url).status_code == 404
    assert signed_in(cast.coordinator).get(url).status_code == 200


def test_outsider_sees_nothing(cast):
    assert names_in_directory(cast.outsider) == set()
    client = signed_in(cast.outsider)
    for url in [reverse("orgs:detail", args=[cast.org_a.pk]),
                reverse("orgs:members", args=[cast.org_a.pk]),
                reverse("orgs:edit", args=[cast.org_a.pk]),
                reverse("orgs:detail", args=[999999])]:
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(reverse("orgs:detail", args=[cast.org_a.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("who,status", [
    ("caseworker_a", 200), ("supervisor_a", 200), ("admin_a", 200), ("dpo_a", 200),
    ("caseworker_b", 404), ("agency_poc", 404), ("coordinator", 404), ("outsider", 404),
])
def test_people_list_is_for_the_organisations_own_members(cast, who, status):
    response = signed_in(getattr(cast, who)).get(reverse("orgs:members", args=[cast.org_a.pk]))
    assert response.status_code == status
    if status == 200:
        assert cast.caseworker_a.full_name in response.content.decode()


def test_only_admins_see_addresses_and_invite_form(cast):
    admin_page = signed_in(cast.admin_a).get(reverse("orgs:members", args=[cast.org_a.pk]))
    worker_page = signed_in(cast.caseworker_a).get(reverse("orgs:members", args=[cast.org_a.pk]))
    assert cast.supervisor_a.email in admin_page.content.decode()
    assert "Send invitation" in admin_page.content.decode()
    assert cast.supervisor_a.email not in worker_page.content.decode()
    assert "Send invitation" not in worker_page.content.decode()


@pytest.mark.parametrize("who,status", [
    ("admin_a", 200), ("caseworker_a", 403), ("supervisor_a", 403), ("dpo_a", 403),
    ("caseworker_b", 403), ("admin_b", 403), ("outsider", 404),
])
def test_profile_editing_is_for_the_organisations_admins(cast, who, status):
    response = signed_in(getattr(cast, who)).get(reverse("orgs:edit", args=[cast.org_a.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("who,status", [
    ("admin_a", 200), ("dpo_a", 200), ("caseworker_a", 404), ("supervisor_a", 404),
    ("caseworker_b", 404), ("coordinator", 404), ("outsider", 404),
])
def test_audit_log_is_for_admins_and_dpos(cast, who, status):
    url = reverse("protection:audit_log") + f"?organisation={cast.org_a.pk}"
    assert signed_in(getattr(cast, who)).get(url).status_code == status


def test_admin_of_b_cannot_read_a_audit_log_by_changing_the_url(cast):
    url = reverse("protection:audit_log") + f"?organisation={cast.org_a.pk}"
    assert signed_in(cast.admin_b).get(url).status_code == 404


def test_navigation_follows_roles(cast):
    worker = signed_in(cast.caseworker_a).get(reverse("home")).content.decode()
    dpo = signed_in(cast.dpo_a).get(reverse("home")).content.decode()
    root = signed_in(cast.platform_admin).get(reverse("home")).content.decode()
    assert reverse("protection:audit_log") not in worker
    assert reverse("protection:audit_log") in dpo
    assert reverse("orgs:create") in root and reverse("orgs:create") not in dpo
