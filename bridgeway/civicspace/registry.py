"""What higher apps put on civic space's pages. Civic space imports none of them: each registers
here from its hooks module (docs/architecture.md, rule 4).

Country panels: `@register_country_panel(key)` on a function `panel(user, country) -> str` that
returns HTML (already rendered and escaped) for the country page, or "" when the user may see
nothing of it. The funding app shows there the members' dependence on foreign funding beside the
foreign-funding restrictions recorded as incidents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CountryPanel = Callable[[Any, str], str]

_country_panels: dict[str, CountryPanel] = {}


def register_country_panel(key: str) -> Callable[[CountryPanel], CountryPanel]:
    def register(panel: CountryPanel) -> CountryPanel:
        _country_panels[key] = panel  # the same key again replaces it
        return panel
    return register


def country_panels(user: Any, country: str) -> list[str]:
    return [html for panel in _country_panels.values() if (html := panel(user, country))]
