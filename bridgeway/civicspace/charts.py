"""Server-rendered bar charts. SVG with sizes as attributes, because the CSP forbids inline
styles and public pages must work without JavaScript; every chart comes with its data table."""

from __future__ import annotations

from bridgeway.civicspace.codes import Actor, Family
from bridgeway.civicspace.queries import counts

BAR, GAP, LABEL_W, WIDTH = 22, 6, 260, 560


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, int]]) -> dict:
    top = max((n for _label, n in rows), default=0) or 1
    bars = []
    for i, (label, n) in enumerate(rows):
        y = i * (BAR + GAP)
        bars.append({"label": label, "n": n, "y": y, "text_y": y + BAR * 0.7,
                     "w": max(1, round((WIDTH - LABEL_W - 40) * n / top)),
                     "n_x": LABEL_W + max(1, round((WIDTH - LABEL_W - 40) * n / top)) + 4})
    return {"id": chart_id, "title": title, "rows": rows, "bars": bars, "width": WIDTH,
            "label_w": LABEL_W, "height": max(1, len(rows)) * (BAR + GAP)}


def charts_for(incidents) -> list[dict]:
    from django.utils.translation import gettext as _

    incidents = list(incidents)
    families = dict(Family.choices)
    actors = dict(Actor.choices)
    by_year = sorted(counts(incidents, lambda i: [str(i.started_on.year)]), key=lambda r: r[0])
    return [
        bar_chart("by-family", _("Incidents by family"),
                  counts(incidents, lambda i: sorted({str(families[t.family])
                                                      for t in i.types.all()}))),
        bar_chart("by-type", _("Incidents by restriction type"),
                  counts(incidents, lambda i: [t.label for t in i.types.all()])),
        bar_chart("by-actor", _("Incidents by actor"),
                  counts(incidents, lambda i: [str(actors.get(a, a)) for a in i.actors])),
        bar_chart("by-year", _("Incidents by year"), by_year),
    ]
