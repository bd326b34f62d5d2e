"""Statistics' part in other apps' registries: its menu entry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.stats.queries import stats_orgs


@register_menu(60)
def _menu(user) -> list[tuple]:
    if not stats_orgs(user):
        return []
    return [(reverse("stats:home"), _("Statistics"), "stats")]
