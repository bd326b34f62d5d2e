"""Organisations' part in other apps' registries: their menu entries."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.orgs.queries import active_memberships


@register_menu(10)
def _menu(user) -> list[tuple]:
    if not (active_memberships(user) or user.is_superuser):
        return []
    return [(reverse("orgs:directory"), _("Directory"), "directory"),
            (reverse("orgs:mechanisms"), _("Task forces"), "mechanisms")]


@register_menu(100)
def _platform_menu(user) -> list[tuple]:
    if not user.is_superuser:
        return []
    return [(reverse("orgs:create"), _("Add organisation"), "org_create"),
            (reverse("admin:index"), _("Platform admin"), "admin")]
