"""Accounts' part in other apps' registries: its menu entry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu


@register_menu(90)
def _menu(user) -> list[tuple]:
    return [(reverse("accounts:settings"), _("My account"), "account")]
