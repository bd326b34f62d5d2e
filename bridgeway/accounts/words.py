"""People who sign in, in core's label registry (core.labels): how the audit log names a user
(the name shown today beside every event) and the payload keys that hold users."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from bridgeway.core.labels import register_details, register_objects


def _users(ids: list[str]) -> dict[str, tuple[str, str]]:
    return {str(pk): (name, "") for pk, name in get_user_model().objects.filter(
        pk__in=[i for i in ids if i.isdigit()]).values_list("pk", "full_name")}


register_objects("accounts.user", _users)
register_details({
    "user": (_("Person"), "accounts.user"),
    "users": (_("Caseworkers"), "accounts.user"),
    "assignee": (_("Assigned to"), "accounts.user"),
})
