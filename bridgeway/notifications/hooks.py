"""Notifications' part in other apps' registries: its menu entry, with the unread count (asked
with the menu's other counts in one statement, core.menu)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.menu import register_menu_count
from bridgeway.core.registry import register_menu
from bridgeway.notifications.queries import unread_of


@register_menu(80)
def _menu(user) -> list[tuple]:
    return [(reverse("notifications:list"), _("Notifications"), "notifications")]


register_menu_count("notifications", unread_of)
