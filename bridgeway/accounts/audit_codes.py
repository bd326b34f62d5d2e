"""The audit codes accounts writes, each with the label people read (one line per code).

A new `audit_record(action="accounts.thing.done", ...)` needs its line here: the tests fail on a code
used but not registered. See docs/architecture.md ("Audit codes")."""

from django.utils.translation import gettext_lazy as _

from bridgeway.protection.registry import register_audit_codes

AUDIT_CODES = register_audit_codes({
    "accounts.api_token.created": _("API token created"),
    "accounts.api_token.revoked": _("API token revoked"),
    "accounts.mfa.added": _("Two-factor authentication added"),
    "accounts.mfa.removed": _("Two-factor authentication removed"),
    "accounts.session.logged_in": _("Signed in"),
    "accounts.session.logged_out": _("Signed out"),
    "accounts.session.login_failed": _("Sign-in failed"),
    "accounts.session.login_blocked": _("Sign-in refused: too many attempts"),
    "accounts.session.mfa_failed": _("Two-factor code refused"),
    "accounts.user.created": _("Account created"),
    "accounts.user.deactivated": _("Account deactivated"),
    "accounts.user.reactivated": _("Account reactivated"),
    "accounts.user.language_changed": _("Language changed"),
    "accounts.user.profile_changed": _("Profile changed"),
})
