"""Outreach's part in other apps' registries: its menu entry, and the link from a civic-space
incident back to the access request or training it was reported from."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.registry import register_country_charts, register_incident_links
from bridgeway.core.registry import register_menu
from bridgeway.outreach.models import AccessRequest, Activity, Training
from bridgeway.outreach.network import country_access_chart
from bridgeway.outreach.queries import network_scope, outreach_menu, records_linked_to_incident
from bridgeway.protection.sealing import register_sealed


@register_menu(45)
def _menu(user) -> list[tuple]:
    if not outreach_menu(user):
        return []
    return [(reverse("outreach:index"), _("Outreach"), "outreach")]


register_incident_links(records_linked_to_incident)


@register_country_charts
def _country_access(user, code: str) -> list[dict]:
    if not outreach_menu(user):
        return []
    scope = network_scope(user)
    return [country_access_chart(scope.org_ids, code, suppress=scope.network is not None)]


register_sealed(Activity, AccessRequest, Training)  # each record's own data key: key rotation
