"""Estimation's part in other apps' registries: its menu entry, and the keys of the sealed
linkage secrets for key rotation."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.core.registry import register_menu
from bridgeway.estimation.models import Participation
from bridgeway.estimation.queries import has_estimation
from bridgeway.estimation.services import secret_key_name
from bridgeway.protection.registry import register_key_holder


@register_menu(65)
def _menu(user) -> list[tuple]:
    if not has_estimation(user):
        return []
    return [(reverse("estimation:home"), _("Estimation"), "estimation")]


register_key_holder(Participation, subject_id=secret_key_name)
