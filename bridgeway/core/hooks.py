"""Core's own menu entry (core.registry), registered like the apps' entries."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu


@register_menu(0)
def _home(user) -> list[tuple]:
    return [(reverse("home"), _("Home"), "home")]
