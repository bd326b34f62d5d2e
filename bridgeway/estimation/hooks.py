"""Estimation's part in other apps' registries: its menu entry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.estimation.queries import has_estimation


@register_menu(65)
def _menu(user) -> list[tuple]:
    if not has_estimation(user):
        return []
    return [(reverse("estimation:home"), _("Estimation"), "estimation")]
