"""What higher apps put on civic space's pages. Civic space imports none of them.

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
