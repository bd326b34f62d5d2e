"""Civic space's part in other apps' registries: its menu entry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.queries import civic_space_menu_rows
from bridgeway.core.registry import register_menu


@register_menu(50)
def _menu(user) -> list[tuple]:
    rows = civic_space_menu_rows(user)
    if rows is False:
        return []
    entry = (reverse("civicspace:list"), _("Civic space"), "civicspace")
    return [entry if rows is True else (*entry, rows)]
