"""Funding's part in other apps' registries: its menu entry (position 58, between civic space
at 50 and statistics at 60), its panel on the civic-space country page and its listener on
survey submissions (answers to mapped questions become indicator values) and its sweep of
the temporary folders a killed 360Giving import or export left behind."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace.registry import register_country_panel
from bridgeway.core.jobs import register_sweeper
from bridgeway.core.registry import register_menu
from bridgeway.funding import exchange, queries, services
from bridgeway.surveys.registry import SubmittedAnswers, register_submission_listener


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


@register_submission_listener("funding.indicators")
def _survey_submitted(event: SubmittedAnswers) -> None:
    services.survey_submission_apply(event)


register_sweeper(exchange.sweep_temporary)
