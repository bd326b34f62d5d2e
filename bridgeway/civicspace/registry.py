"""What higher apps put on civic space's pages. Civic space imports none of them: each registers
here from its hooks module (docs/architecture.md, rule 4).

Country panels: `@register_country_panel(key)` on a function `panel(user, country) -> str` that
returns HTML (already rendered and escaped) for the country page, or "" when the user may see
nothing of it. The funding app shows there the members' dependence on foreign funding beside the
foreign-funding restrictions recorded as incidents.

`register_country_charts(fn)`: `fn(user, country_code) -> [chart, ...]` adds charts (as made by
`core.charts.bar_chart`) to the signed-in country page (outreach: access to facilities by facility
type and outcome).

`register_incident_links(fn)`: `fn(user, incident_id) -> [(url, label), ...]` lists the records
of that app, visible to the user, that an incident was reported from (outreach: a refused access
request or an obstructed training). The incident page shows them under "Reported from"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

CountryPanel = Callable[[Any, str], str]

_country_panels: dict[str, CountryPanel] = {}


def register_country_panel(key: str) -> Callable[[CountryPanel], CountryPanel]:
    def register(panel: CountryPanel) -> CountryPanel:
        _country_panels[key] = panel  # the same key again replaces it
        return panel
    return register


def country_panels(user: Any, country: str) -> list[str]:
    return [html for panel in _country_panels.values() if (html := panel(user, country))]



IncidentLinks = Callable[[Any, UUID], list[tuple[str, str]]]

_links: list[IncidentLinks] = []


def register_incident_links(fn: IncidentLinks) -> IncidentLinks:
    if fn not in _links:
        _links.append(fn)
    return fn


def incident_links(user: Any, incident_id: UUID) -> list[tuple[str, str]]:
    return [link for fn in _links for link in fn(user, incident_id)]


CountryCharts = Callable[[Any, str], list[dict]]

_country_charts: list[CountryCharts] = []


def register_country_charts(fn: CountryCharts) -> CountryCharts:
    if fn not in _country_charts:
        _country_charts.append(fn)
    return fn


def country_charts(user: Any, code: str) -> list[dict]:
    return [chart for fn in _country_charts for chart in fn(user, code)]
