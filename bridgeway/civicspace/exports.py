"""Incident exports (CSV, JSON, XLSX). Rows come from a queryset the caller already scoped; on
public exports anonymous affected organisations appear only by their description."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from bridgeway.civicspace.codes import Actor
from bridgeway.core.spreadsheets import safe_cell, xlsx_bytes

COLUMNS = ["id", "title", "status", "visibility", "started_on", "ended_on", "country", "region",
           "actors", "families", "types", "severity", "affected_organisations", "sources",
           "description", "network", "published_at"]


def rows(incidents, *, public: bool) -> list[dict]:
    out = []
    actors = dict(Actor.choices)
    for i in incidents.select_related("network").prefetch_related("types", "affected__organisation",
                                                                   "sources"):
        types = list(i.types.all())
        sources = [s for s in i.sources.all() if s.url and (s.is_public or not public)]
        out.append({
            "id": str(i.pk), "title": i.title, "status": i.status, "visibility": i.visibility,
            "started_on": i.started_on.isoformat(),
            "ended_on": i.ended_on.isoformat() if i.ended_on else "",
            "country": i.country, "region": i.region,
            "actors": [str(actors.get(a, a)) for a in i.actors],
            "families": sorted({t.family for t in types}), "types": [t.label for t in types],
            "severity": i.severity,
            "affected_organisations": [a.public_label() for a in i.affected.all()],
            "sources": [s.url for s in sources], "description": i.description,
            "network": i.network.name,
            "published_at": i.published_at.isoformat() if i.published_at else "",
        })
    return out


def _flat(value):
    return "; ".join(str(v) for v in value) if isinstance(value, list) else value


def refused_filters(form) -> HttpResponse | None:
    """A 400 naming the filters whose values are unknown, instead of exporting everything."""
    if not form.is_bound or form.is_valid():
        return None
    return HttpResponseBadRequest(_("Unknown filter value: %(filters)s.")
                                  % {"filters": ", ".join(sorted(form.errors))},
                                  content_type="text/plain; charset=utf-8")


def export_response(incidents, fmt: str, *, public: bool) -> HttpResponse:
    data = rows(incidents, public=public)
    name = "civic-space-incidents"
    if fmt == "json":
        response = HttpResponse(json.dumps({"incidents": data}, ensure_ascii=False, indent=1),
                                content_type="application/json; charset=utf-8")
    elif fmt == "xlsx":
        sheet = [COLUMNS, *([_flat(row[c]) for c in COLUMNS] for row in data)]
        response = HttpResponse(
            xlsx_bytes([("incidents", sheet)]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(COLUMNS)
        for row in data:
            writer.writerow([safe_cell(_flat(row[c])) for c in COLUMNS])
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
