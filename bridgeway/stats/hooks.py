"""Statistics' part in other apps' registries: its menu entry, and the keys of its sealed import
and export files for key rotation."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import orgs_where
from bridgeway.protection.registry import register_key_holder
from bridgeway.stats.models import ExportJob, ImportJob
from bridgeway.stats.queries import stats_orgs
from bridgeway.stats.services import job_key_name


@register_menu(60)
def _menu(user) -> list[tuple]:
    if stats_orgs(user):
        return [(reverse("stats:home"), _("Statistics"), "stats")]
    # A researcher works with what was published: the public releases, one click away.
    if orgs_where(user, [Role.RESEARCHER]):
        return [(reverse("stats_public:index"), _("Statistics"), "stats")]
    return []


for _model in (ImportJob, ExportJob):
    register_key_holder(_model, subject_id=job_key_name)
