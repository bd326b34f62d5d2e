"""Funding's part in other apps' registries: its menu entry (position 58, between civic space
at 50 and statistics at 60) and its panel on the civic-space country page."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.registry import register_country_panel
from bridgeway.core.registry import register_menu
from bridgeway.funding import queries


@register_menu(58)
def _menu(user) -> list[tuple]:
    rows = queries.funding_menu_rows(user)
    if rows is False:
        return []
    entry = (reverse("funding:home"), _("Funding"), "funding")
    return [entry if rows is True else (*entry, rows)]


@register_country_panel("funding.foreign_dependence")
def _country_panel(user, country: str) -> str:
    rows = queries.country_panel(user, country)
    if not rows:
        return ""
    return render_to_string("funding/_country_panel.html", {"rows": rows, "country": country})
