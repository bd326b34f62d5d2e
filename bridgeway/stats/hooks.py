"""Statistics' part in other apps' registries: its menu entry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import orgs_where
from bridgeway.stats.queries import stats_orgs


@register_menu(60)
def _menu(user) -> list[tuple]:
    if stats_orgs(user):
        return [(reverse("stats:home"), _("Statistics"), "stats")]
    # A researcher works with what was published: the public releases, one click away.
    if orgs_where(user, [Role.RESEARCHER]):
        return [(reverse("stats_public:index"), _("Statistics"), "stats")]
    return []
