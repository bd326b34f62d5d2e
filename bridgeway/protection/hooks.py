"""Protection's part in other apps' registries: its menu entries."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.orgs.codes import AUDIT_READER_ROLES, Role
from bridgeway.orgs.queries import user_roles


@register_menu(40)
def _persons_menu(user) -> list[tuple]:
    if not user_roles(user) & {Role.CASEWORKER, Role.SUPERVISOR, Role.DPO}:
        return []
    return [(reverse("protection:subjects"), _("Persons assisted"), "subjects")]


@register_menu(70)
def _oversight_menu(user) -> list[tuple]:
    roles = user_roles(user)
    items = []
    if Role.DPO in roles:
        items.append((reverse("protection:access_log"), _("Access log"), "access_log"))
        items.append((reverse("protection:retention"), _("Retention"), "retention"))
    if roles & AUDIT_READER_ROLES:
        items.append((reverse("protection:audit_log"), _("Audit log"), "audit"))
        items.append((reverse("protection:keys"), _("Encryption keys"), "keys"))
    return items
