"""The civic-space charts, drawn by the shared helper in bridgeway.core.charts."""

from __future__ import annotations

from bridgeway.civicspace.codes import Actor, Family
from bridgeway.civicspace.queries import counts
from bridgeway.core.charts import bar_chart


def charts_for(incidents) -> list[dict]:
    from django.utils.translation import gettext as _

    incidents = list(incidents)
    families = dict(Family.choices)
    actors = dict(Actor.choices)
    def chart(chart_id, title, rows):
        return bar_chart(chart_id, title, rows, unit=_("Incidents"), empty=_("No incidents."))

    by_year = sorted(counts(incidents, lambda i: [str(i.started_on.year)]), key=lambda r: r[0])
    return [
        chart("by-family", _("Incidents by family"),
                  counts(incidents, lambda i: sorted({str(families[t.family])
                                                      for t in i.types.all()}))),
        chart("by-type", _("Incidents by restriction type"),
                  counts(incidents, lambda i: [t.label for t in i.types.all()])),
        chart("by-actor", _("Incidents by actor"),
                  counts(incidents, lambda i: [str(actors.get(a, a)) for a in i.actors])),
        chart("by-year", _("Incidents by year"), by_year),
    ]
