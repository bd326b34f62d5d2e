"""Civic space's part in other apps' registries: its menu entry, and its incidents' document keys
for key rotation."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.models import Incident
from bridgeway.civicspace.queries import civic_space_menu_rows
from bridgeway.core.registry import register_menu
from bridgeway.protection.registry import register_key_holder
from bridgeway.protection.sealing import key_name


@register_menu(50)
def _menu(user) -> list[tuple]:
    rows = civic_space_menu_rows(user)
    if rows is False:
        return []
    entry = (reverse("civicspace:list"), _("Civic space"), "civicspace")
    return [entry if rows is True else (*entry, rows)]


# Each incident's documents have a data key of their own, wrapped by the network's KEK.
register_key_holder(Incident, subject_id=key_name, organisation_field="network")
