"""Audit events for sign-in and MFA changes. Payloads carry no e-mail addresses or IPs."""

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.signals import authentication_failed as mfa_authentication_failed
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from bridgeway.protection.audit import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action="accounts.session.logged_in", actor=user, obj=user)
    # Someone who has just passed password (and MFA) should not be asked to prove it again
    # at once: the sign-in counts as a re-authentication until the timeout runs out.
    session = getattr(request, "session", None)
    if session is not None:
        records = session.get(AUTHENTICATION_METHODS_SESSION_KEY)
        if records:
            session[AUTHENTICATION_METHODS_SESSION_KEY] = [
                {**record, "reauthenticated": True} for record in records]


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="accounts.session.logged_out", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The account's id when the typed address is one; the address itself is personal data and
    # may not even be an account: never recorded.
    from bridgeway.accounts import throttle

    login = credentials.get("email") or credentials.get("username") or ""
    throttle.audit_failure(action="accounts.session.login_failed",
                           account=throttle.account_for(login), reason="password")


@receiver(mfa_authentication_failed)
def _mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    from bridgeway.accounts import throttle

    throttle.audit_failure(action="accounts.session.mfa_failed", account=user,
                           reason="reauthentication" if reauthentication else "code")


@receiver(authenticator_added)
def _mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(action="accounts.mfa.added", actor=user, obj=user,
                 payload={"type": authenticator.type})


@receiver(authenticator_removed)
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(action="accounts.mfa.removed", actor=user, obj=user,
                 payload={"type": authenticator.type})
