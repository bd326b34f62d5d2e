"""Notifications' part in other apps' registries: its menu entry, with the unread count."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.notifications.queries import unread_count


@register_menu(80)
def _menu(user) -> list[tuple]:
    unread = unread_count(user)
    return [(reverse("notifications:list"),
             _("Notifications (%(n)s)") % {"n": unread} if unread else _("Notifications"),
             "notifications")]
