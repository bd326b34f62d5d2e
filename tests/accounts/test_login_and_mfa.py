"""Signing in: password, then TOTP; MFA set-up forced for roles that see personal data;
throttling and lockout; idle timeout; MFA secrets encrypted at rest."""

import datetime as dt
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory, has_totp, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def code_for(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_password_then_totp_signs_in(client):
    user = MembershipFactory(role="caseworker").user
    secret = with_totp(user)
    response = login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in after the password alone
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.session.logged_in", actor=user).exists()


def test_wrong_totp_code_is_refused(client):
    user = MembershipFactory(role="caseworker").user
    secret = with_totp(user)
    login(client, user.email)
    wrong = code_for(secret, offset=10)
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_role_with_personal_data_is_sent_to_mfa_setup_first(client,
                                                            django_capture_on_commit_callbacks):
    user = MembershipFactory(role="supervisor").user
    login(client, user.email)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("orgs:directory"))
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("api-me")).status_code == 403
    # Setting it up lets them in.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.mfa.added", actor=user).exists()


def test_removing_the_authenticator_sends_a_signed_in_person_back_to_mfa_setup(cast):
    """The MFA check is asked of the database on every request (accounts.mfa.user_has_mfa): an
    authenticator removed while the person is signed in counts from their next request, a
    recovery-codes authenticator alone is not TOTP, and another person's TOTP is not theirs."""
    client = signed_in(cast.caseworker_a)
    assert client.get(reverse("home")).status_code == 200
    Authenticator.objects.filter(user=cast.caseworker_a, type=Authenticator.Type.TOTP).delete()
    Authenticator.objects.create(user=cast.caseworker_a, type=Authenticator.Type.RECOVERY_CODES,
                                 data={})
    assert has_totp(cast.caseworker_b)  # someone else's, still there
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", ["network_coordinator", "researcher"])
def test_aggregate_only_roles_may_work_without_mfa(client, role):
    org_type = "CSONetwork" if role == "network_coordinator" else "NGO"
    user = MembershipFactory(role=role, organisation__org_type=org_type).user
    login(client, user.email)
    assert client.get(reverse("home")).status_code == 200


def test_platform_admin_needs_mfa_too(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    login(client, user.email)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")


def test_admin_site_login_goes_through_mfa(client):
    response = client.get("/platform-admin/login/")
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_lockout_after_five_failed_passwords(client):
    user = MembershipFactory(role="researcher").user
    for _ in range(5):
        response = login(client, user.email, "wrong-password")
        assert response.status_code == 200
    response = login(client, user.email)  # right password, but locked
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.session.login_failed").count() >= 5
    failed = AuditEvent.objects.filter(action="accounts.session.login_failed").first()
    assert user.email not in str(failed.payload) and failed.actor_id is None


def test_public_signup_is_closed(client):
    response = client.post(reverse("account_signup"), {
        "email": "self@example.org", "password1": "a-long-new-password-1",
        "password2": "a-long-new-password-1"})
    assert "_auth_user_id" not in client.session
    from bridgeway.accounts.models import User

    assert not User.objects.filter(email="self@example.org").exists()
    assert response.status_code in (200, 302)


def _stored_expiry(client):
    from django.contrib.sessions.models import Session

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


def test_sessions_expire_when_idle():
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    user = MembershipFactory(role="researcher").user
    client = signed_in(user)
    assert client.get(reverse("home")).status_code == 200
    left = (_stored_expiry(client) - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < left <= settings.SESSION_COOKIE_AGE
    # An idle session past its age is gone from the store: the person must sign in again.
    Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("home")).status_code == 302


def test_activity_keeps_the_session_alive_with_one_write_a_minute(monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bridgeway.core import middleware

    user = MembershipFactory(role="researcher").user
    client = signed_in(user)
    client.get(reverse("home"))
    first = _stored_expiry(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    # Within the minute the session is not written again (a write per page saved).
    assert not [q for q in queries if q["sql"].startswith('UPDATE "django_session"')]
    assert _stored_expiry(client) == first
    # A minute later, the next request pushes the expiry forward again.
    later = time.time() + 61
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    assert client.get(reverse("home")).status_code == 200
    assert _stored_expiry(client) > first


def test_signed_out_visitors_get_no_session(client):
    client.get(reverse("account_login"))
    assert settings.SESSION_COOKIE_NAME not in client.cookies or \
        not client.cookies[settings.SESSION_COOKIE_NAME].value


def test_totp_secret_is_encrypted_at_rest():
    user = UserFactory()
    secret = with_totp(user)
    stored = Authenticator.objects.get(user=user).data["secret"]
    assert secret not in stored
    assert stored.startswith("bwv1:")


def test_recovery_codes_come_with_totp(client, django_capture_on_commit_callbacks):
    user = MembershipFactory(role="dpo").user
    login(client, user.email)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert Authenticator.objects.filter(user=user,
                                        type=Authenticator.Type.RECOVERY_CODES).exists()


def test_token_stops_working_when_owner_gains_a_role_needing_mfa(db):
    from rest_framework.test import APIClient

    from bridgeway.accounts.services import api_token_create

    membership = MembershipFactory(role="researcher")
    _token, secret = api_token_create(user=membership.user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").status_code == 200
    membership.role = "caseworker"
    membership.save()
    assert client.get("/api/v1/me/").status_code == 403


def test_platform_admin_blocks_a_login_and_it_is_audited(cast):
    from bridgeway.accounts.services import api_token_create, user_set_active

    api_token_create(user=cast.caseworker_b, name="t")
    user_set_active(user=cast.caseworker_b, actor=cast.platform_admin, active=False)
    cast.caseworker_b.refresh_from_db()
    assert not cast.caseworker_b.is_active
    assert not cast.caseworker_b.api_tokens.filter(revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="accounts.user.deactivated",
                                     object_id=str(cast.caseworker_b.pk)).exists()
    with pytest.raises(PermissionError):
        user_set_active(user=cast.caseworker_a, actor=cast.admin_a, active=False)


def test_sign_in_page_offers_no_sign_up(client):
    """Issue 18: the sign-in page offered "sign up" though sign-up is closed (invitations only)."""
    page = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in page and "sign up" not in page.lower()
    assert "Accounts are created by invitation" in page
    assert 'name="login"' in page and 'name="password"' in page
