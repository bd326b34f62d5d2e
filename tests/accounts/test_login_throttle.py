"""Refused sign-ins: a throttled or locked-out attempt is a 429 that says when to try again;
every refused attempt (wrong password, lock, throttle, wrong MFA code) is audited with the
account's id at most; the account lock holds per network address, so it cannot keep a person
out from where they are, with a slower limit per account everywhere; no address or typed
e-mail is kept in clear."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.urls import reverse

from bridgeway.protection.models import AuditEvent
from tests.factories import PASSWORD, MembershipFactory, with_totp

pytestmark = pytest.mark.django_db

HOME, AWAY, ELSEWHERE = "198.51.100.7", "203.0.113.9", "192.0.2.33"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def login(client, email, password=PASSWORD, ip=HOME):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       REMOTE_ADDR=ip)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def assert_no_personal_data(*values):
    text = " ".join(f"{e.payload} {e.object_id}" for e in AuditEvent.objects.all())
    for value in values:
        assert value not in text


def test_locked_account_answers_429_saying_when_and_everything_is_audited(client):
    user = MembershipFactory(role="researcher").user
    for _ in range(5):
        assert login(client, user.email, "wrong-password", ip=AWAY).status_code == 200
    response = login(client, user.email, ip=AWAY)  # the right password, but locked here
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    body = response.content.decode()
    assert "Too many failed login attempts. Try again in 15 minutes, after" in body
    assert "_auth_user_id" not in client.session
    failed = events("accounts.session.login_failed")
    assert len(failed) == 5
    assert all(e.object_id == str(user.pk) and e.payload == {"reason": "password",
                                                             "known_account": True}
               for e in failed)
    blocked = events("accounts.session.login_blocked")
    assert [(e.object_id, e.payload["reason"]) for e in blocked] == \
        [(str(user.pk), "account_at_address")]
    assert_no_personal_data(user.email, AWAY)


def test_the_lock_does_not_keep_the_person_out_from_their_own_address(client):
    user = MembershipFactory(role="researcher").user
    for _ in range(5):
        login(client, user.email, "wrong-password", ip=AWAY)
    assert login(client, user.email, ip=AWAY).status_code == 429
    response = login(client, user.email, ip=HOME)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_slower_limit_per_account_holds_everywhere(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/15m/key",
                                    "login_failed_account": "8/h/key"}
    user = MembershipFactory(role="researcher").user
    for n in range(8):
        ip = AWAY if n < 4 else ELSEWHERE
        assert login(client, user.email, "wrong-password", ip=ip).status_code == 200
    response = login(client, user.email, ip=HOME)
    assert response.status_code == 429
    assert "Try again in 60 minutes" in response.content.decode()
    assert events("accounts.session.login_blocked")[-1].payload["reason"] == "account"


def test_one_address_is_throttled_across_accounts_and_unknown_ones_leave_no_address(client):
    users = [MembershipFactory(role="researcher").user for _ in range(3)]
    typed = [f"nobody{n}@example.org" for n in range(7)]
    for email in [u.email for u in users] + typed:
        assert login(client, email, "wrong-password", ip=AWAY).status_code == 200
    response = login(client, users[0].email, ip=AWAY)
    assert response.status_code == 429 and "Try again in 1 minute" in response.content.decode()
    blocked = events("accounts.session.login_blocked")[-1]
    assert blocked.payload["reason"] == "address" and blocked.object_id == str(users[0].pk)
    unknown = [e for e in events("accounts.session.login_failed")
               if not e.payload["known_account"]]
    assert len(unknown) == 7 and all(e.object_id == "" for e in unknown)
    assert_no_personal_data(AWAY, *typed)
    # Another address is not affected.
    assert login(client, users[1].email, ip=HOME).status_code == 302


def test_wrong_mfa_codes_are_audited_and_then_throttled_with_429(client):
    user = MembershipFactory(role="caseworker").user
    secret = with_totp(user)
    login(client, user.email)
    wrong = format_hotp_value(hotp_value(secret, int(time.time()) // 30 + 10))
    for _ in range(5):
        assert client.post(reverse("mfa_authenticate"), {"code": wrong}).status_code == 200
    failed = events("accounts.session.mfa_failed")
    assert len(failed) == 5 and {e.object_id for e in failed} == {str(user.pk)}
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many failed login attempts. Try again in" in response.content.decode()
    assert events("accounts.session.login_blocked")[-1].payload["reason"] == "mfa"
    assert "_auth_user_id" not in client.session


def test_throttle_counters_hold_no_address_or_email_in_clear(client):
    user = MembershipFactory(role="researcher").user
    login(client, user.email, "wrong-password", ip=AWAY)
    keys = " ".join(str(k) for k in cache._cache)  # the test settings use the local-memory cache
    assert keys and AWAY not in keys and user.email not in keys


def test_a_good_password_does_not_count_against_the_limits(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/15m/key",
                                    "login_failed_account": "8/h/key"}
    user = MembershipFactory(role="researcher").user
    for _ in range(10):
        client.logout()
        assert login(client, user.email).status_code == 302
