"""Cases' part in other apps' registries: its menu entry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import user_roles


@register_menu(20)
def _menu(user) -> list[tuple]:
    if not user_roles(user) & {Role.CASEWORKER, Role.SUPERVISOR}:
        return []
    return [(reverse("cases:list"), _("Cases"), "cases")]
