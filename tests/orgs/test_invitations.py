import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bridgeway.accounts.models import User
from bridgeway.orgs.models import Invitation, Membership
from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def invite(client, org, email, role="caseworker"):
    return client.post(reverse("orgs:invite", args=[org.pk]), {"email": email, "role": role})


def link_from_mail() -> str:
    body = mail.outbox[-1].body
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", body).group(1)


def test_admin_invites_and_new_person_accepts(cast, client):
    response = invite(signed_in(cast.admin_a), cast.org_a, "New.Person@Example.org")
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new.person@example.org"]
    assert "Org A" in mail.outbox[-1].subject
    link = link_from_mail()
    page = client.get(link)
    assert page.status_code == 200 and "Org A" in page.content.decode()
    response = client.post(link, {"full_name": "Nadia Nou", "password1": "a-long-new-password-1",
                                  "password2": "a-long-new-password-1"})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert Membership.objects.filter(user=user, organisation=cast.org_a, role="caseworker",
                                     is_active=True).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"orgs.invitation.created", "orgs.invitation.accepted",
            "orgs.membership.created", "accounts.user.created"} <= actions
    # A caseworker must set up MFA before anything else.
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_the_token_is_stored_only_as_a_digest(cast):
    invite(signed_in(cast.admin_a), cast.org_a, "x@example.org")
    token = link_from_mail().split("/")[-2]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_digest
    assert not Invitation.objects.filter(token_digest=token).exists()


def test_reused_token_is_refused_and_writes_nothing(cast, client):
    invite(signed_in(cast.admin_a), cast.org_a, "once@example.org")
    link = link_from_mail()
    data = {"full_name": "Once", "password1": "a-long-new-password-1",
            "password2": "a-long-new-password-1"}
    client.post(link, data)
    other = signed_in(cast.outsider)
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    response = other.post(link, data)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before


def test_expired_token_is_refused(cast, client):
    invite(signed_in(cast.admin_a), cast.org_a, "late@example.org")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(link_from_mail(), {"full_name": "Late", "password1": "a-long-pass-123",
                                              "password2": "a-long-pass-123"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_unknown_token_is_refused(client, db):
    response = client.get(reverse("invitations:accept", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_withdrawn_invitation_cannot_be_used(cast, client):
    admin = signed_in(cast.admin_a)
    invite(admin, cast.org_a, "maybe@example.org")
    link = link_from_mail()
    inv = Invitation.objects.get()
    admin.post(reverse("orgs:invitation_revoke", args=[cast.org_a.pk, inv.pk]))
    response = client.get(link)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()


def test_duplicate_pending_invitation_and_existing_member_are_refused(cast):
    admin = signed_in(cast.admin_a)
    invite(admin, cast.org_a, "twice@example.org")
    response = invite(admin, cast.org_a, "TWICE@example.org")
    assert response.status_code == 400
    assert "already pending" in response.content.decode()
    response = invite(admin, cast.org_a, cast.caseworker_a.email, role="caseworker")
    assert response.status_code == 400
    assert "already has this role" in response.content.decode()
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_existing_account_must_sign_in_and_wrong_account_is_refused(cast, client):
    invite(signed_in(cast.admin_a), cast.org_a, cast.caseworker_b.email, role="researcher")
    link = link_from_mail()
    response = client.post(link, {"full_name": "X", "password1": "a-long-new-password-1",
                                  "password2": "a-long-new-password-1"})
    assert response.status_code == 409
    assert "Sign in first" in response.content.decode()
    response = signed_in(cast.outsider).post(link)
    assert response.status_code == 409
    assert "another e-mail address" in response.content.decode()
    assert not Membership.objects.filter(user=cast.caseworker_b, organisation=cast.org_a).exists()
    response = signed_in(cast.caseworker_b).post(link)
    assert response.status_code == 302
    assert Membership.objects.filter(user=cast.caseworker_b, organisation=cast.org_a,
                                     role="researcher").exists()


def test_weak_or_mismatched_password_names_the_field(cast, client):
    invite(signed_in(cast.admin_a), cast.org_a, "weak@example.org")
    link = link_from_mail()
    response = client.post(link, {"full_name": "W", "password1": "password",
                                  "password2": "password"})
    assert response.status_code == 400
    assert response.context["form"].errors["password1"]
    response = client.post(link, {"full_name": "W", "password1": "a-long-new-password-1",
                                  "password2": "a-long-new-password-2"})
    assert "do not match" in response.content.decode()
    assert not User.objects.filter(email="weak@example.org").exists()


@pytest.mark.parametrize("who,status", [
    ("admin_b", 403), ("caseworker_a", 403), ("supervisor_a", 403), ("outsider", 404),
])
def test_only_this_organisations_admin_can_invite(cast, who, status):
    response = invite(signed_in(getattr(cast, who)), cast.org_a, "someone@example.org")
    assert response.status_code == status
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_role_that_does_not_fit_the_organisation_type_is_refused(cast):
    response = invite(signed_in(cast.admin_a), cast.org_a, "poc@example.org", role="agency_poc")
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_platform_admin_may_invite_only_an_org_admin(cast):
    root = signed_in(cast.platform_admin)
    assert invite(root, cast.org_b, "boss@example.org", role="caseworker").status_code == 400
    assert invite(root, cast.org_b, "boss@example.org", role="org_admin").status_code == 302
    assert Invitation.objects.get().role == "org_admin"


def test_sensitive_actions_ask_for_reauthentication(cast):
    client = signed_in(cast.admin_a, reauthenticated=False)
    response = invite(client, cast.org_a, "later@example.org")
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]
    assert not Invitation.objects.exists()
