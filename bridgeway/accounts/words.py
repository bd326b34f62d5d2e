"""People who sign in, in core's label registry (core.labels): how the audit log names a user
(the name shown today beside every event) and the payload keys that hold users."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_details, register_objects, register_sentences


def _users(ids: list[str]) -> dict[str, tuple[str, str]]:
    return {str(pk): (name, "") for pk, name in get_user_model().objects.filter(
        pk__in=[i for i in ids if i.isdigit()]).values_list("pk", "full_name")}


register_objects("accounts.user", _users)
register_details({
    "user": (_("Person"), "accounts.user"),
    "users": (_("Caseworkers"), "accounts.user"),
    "assignee": (_("Assigned to"), "accounts.user"),
})

register_sentences({
    "accounts.api_token.created": _("%(who)s created an API token"),
    "accounts.api_token.revoked": _("%(who)s revoked an API token"),
    "accounts.mfa.added": _("%(who)s turned on two-factor authentication"),
    "accounts.mfa.removed": _("%(who)s turned off two-factor authentication"),
    "accounts.session.logged_in": _("%(who)s signed in"),
    "accounts.session.logged_out": _("%(who)s signed out"),
    "accounts.session.login_blocked": _("%(who)s was refused sign-in after too many attempts"),
    "accounts.session.login_failed": _("%(who)s failed to sign in"),
    "accounts.session.mfa_failed": _("%(who)s entered a two-factor code that was refused"),
    "accounts.user.created": _("%(who)s created the account of %(subject)s"),
    "accounts.user.deactivated": _("%(who)s deactivated the account of %(subject)s"),
    "accounts.user.language_changed": _("%(who)s changed their language"),
    "accounts.user.profile_changed": _("%(who)s changed their profile"),
    "accounts.user.reactivated": _("%(who)s reactivated the account of %(subject)s"),
})
