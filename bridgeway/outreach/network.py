"""The network view: activities, reach, access outcomes and trainings added up across the
organisations of a network, by country, quarter and kind, with charts and tables, and its
CSV/XLSX export with HXL hashtags. Aggregates only: no record, no place, no name. In a
network's view a count from 1 to SUPPRESS_BELOW - 1 is shown as "<k", as on the dashboards
(an organisation looking at its own work sees its own numbers)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bridgeway.core.charts import bar_chart
from bridgeway.core.smallcells import shown_count
from bridgeway.core.spreadsheets import safe_cell, xlsx_bytes
from bridgeway.orgs.codes import country_name
from bridgeway.outreach import summary
from bridgeway.outreach.codes import (
    SUPPRESS_BELOW,
    ActivityKind,
    FacilityType,
    InstitutionType,
    Outcome,
    TrainingStatus,
)
from bridgeway.outreach.models import AccessRequest, Activity, Training

OUTCOMES = [Outcome.GRANTED, Outcome.CONDITIONS, Outcome.REFUSED, Outcome.NO_ANSWER,
            Outcome.PENDING]


def _scoped(model, org_ids, date_field, country, year):
    qs = model.objects.filter(organisation_id__in=org_ids)
    if country:
        qs = qs.filter(**({"facility__country": country} if model is AccessRequest
                          else {"country": country}))
    if year:
        qs = qs.filter(**{f"{date_field}__year": year})
    return qs


def _cell(n: int, suppress: bool) -> int | str:
    return shown_count(n, SUPPRESS_BELOW if suppress else 0)


def aggregates(org_ids: list[int], *, country: str = "", year: int | None = None) -> dict:
    """The grouped rows, read from the running totals (summary.py) in one statement: a few
    hundred rows whatever the number of records, folded here into the three tables."""
    acts: dict[tuple, dict] = {}
    access_cells: dict[tuple, dict] = {}
    training_cells: dict[tuple, dict] = {}
    for r in (summary.scoped(org_ids, country=country, year=year)
              .values("source", "country", "year", "quarter", "kind", "status")
              .annotate(total=Sum("n"), reached=Sum("reached"), female=Sum("female"),
                        male=Sum("male"), children=Sum("children"), victims=Sum("victims"))
              .order_by()):
        y, q, kind, status = r["year"], r["quarter"], r["kind"], r["status"]
        if r["source"] == "activity":
            row = acts.setdefault((r["country"], y, q, kind), {
                "country": r["country"], "kind": kind, "y": y, "q": q, "n": 0, "reached": 0,
                "female": 0, "male": 0, "children": 0, "victims": 0})
            row["n"] += r["total"]
            for key in ("reached", "female", "male", "children", "victims"):
                row[key] += r[key]
        elif r["source"] == "access":
            row = access_cells.setdefault((kind, y, q), {
                "facility__facility_type": kind, "y": y, "q": q, **{o: 0 for o in OUTCOMES}})
            if status in row:
                row[status] += r["total"]
        elif r["source"] == "training":
            row = training_cells.setdefault((y, q, kind), {
                "y": y, "q": q, "institution_type": kind,
                **{s: 0 for s in TrainingStatus.values}, "participants": 0})
            if status in row:
                row[status] += r["total"]
            row["participants"] += r["reached"] or 0
    return {"activities": [acts[k] for k in sorted(acts)],
            "access": [access_cells[k] for k in sorted(access_cells)],
            "trainings": [training_cells[k] for k in sorted(training_cells)]}


def aggregates_direct(org_ids: list[int], *, country: str = "", year: int | None = None) -> dict:
    """The same rows counted from the records (the view before the running totals): what the
    tests compare `aggregates` with, and the benchmark's baseline."""
    acts = list(_scoped(Activity, org_ids, "started_on", country, year)
                .annotate(y=ExtractYear("started_on"), q=ExtractQuarter("started_on"))
                .values("country", "y", "q", "kind")
                # Count a column of the covering index (not the id): an index-only scan.
                .annotate(n=Count("kind"), reached=Sum("reached_total"),
                          female=Sum("reached_female"), male=Sum("reached_male"),
                          children=Sum("reached_age_0_17"), victims=Sum("potential_victims"))
                .order_by("country", "y", "q", "kind"))
    access = list(_scoped(AccessRequest, org_ids, "requested_on", country, year)
                  .annotate(y=ExtractYear("requested_on"), q=ExtractQuarter("requested_on"))
                  .values("facility__facility_type", "y", "q")
                  .annotate(**{o: Count("outcome", filter=Q(outcome=o)) for o in OUTCOMES})
                  .order_by("facility__facility_type", "y", "q"))
    trainings = list(_scoped(Training, org_ids, "planned_on", country, year)
                     .annotate(y=ExtractYear("planned_on"), q=ExtractQuarter("planned_on"))
                     .values("y", "q", "institution_type")
                     .annotate(**{s: Count("id", filter=Q(status=s))
                                  for s in TrainingStatus.values},
                               participants=Sum("participants_female") + Sum("participants_male")
                               + Sum("participants_sex_other"))
                     .order_by("y", "q", "institution_type"))
    return {"activities": acts, "access": access, "trainings": trainings}


def network_view(org_ids: list[int], *, country: str = "", year: int | None = None,
                 suppress: bool = True) -> dict:
    """The charts, the three tables (as rows for the API and as table rows for the page) and
    their headings, in the current language, as plain strings: what cached_view keeps."""
    raw = aggregates(org_ids, country=country, year=year)
    k = SUPPRESS_BELOW if suppress else 0
    kinds = {c: str(label) for c, label in ActivityKind.choices}
    ftypes = {c: str(label) for c, label in FacilityType.choices}
    itypes = {c: str(label) for c, label in InstitutionType.choices}

    def total(rows, key, by):
        out: dict[str, int] = {}
        for r in rows:
            out[by(r)] = out.get(by(r), 0) + (r[key] or 0)
        return sorted(out.items())

    charts = [
        bar_chart("activities-by-kind", _("Activities by kind"),
                  [(kinds.get(c, c), n) for c, n in total(raw["activities"], "n",
                                                          lambda r: r["kind"])],
                  unit=_("Activities"), empty=_("No activities."), suppress_below=k),
        bar_chart("reach-by-quarter", _("People reached by quarter"),
                  total(raw["activities"], "reached", lambda r: f"{r['y']}-Q{r['q']}"),
                  unit=_("People reached"), empty=_("No activities."), suppress_below=k),
        bar_chart("access-by-outcome", _("Access requests by outcome"),
                  [(str(Outcome(o).label), sum(r[o] for r in raw["access"])) for o in OUTCOMES],
                  unit=_("Access requests"), empty=_("No access requests."), suppress_below=k),
        bar_chart("trainings-by-status", _("Trainings by status"),
                  [(str(TrainingStatus(s).label), sum(r[s] for r in raw["trainings"]))
                   for s in TrainingStatus.values],
                  unit=_("Trainings"), empty=_("No trainings."), suppress_below=k),
    ]
    activity_rows = [{"country": country_name(r["country"]), "quarter": f"{r['y']}-Q{r['q']}",
                      "kind": kinds.get(r["kind"], r["kind"]), "n": _cell(r["n"], suppress),
                      "reached": _cell(r["reached"], suppress),
                      "female": _cell(r["female"], suppress), "male": _cell(r["male"], suppress),
                      "children": _cell(r["children"], suppress),
                      "victims": _cell(r["victims"], suppress)} for r in raw["activities"]]
    access_rows: list[dict[str, Any]] = [
        {"type": ftypes.get(r["facility__facility_type"], ""), "quarter": f"{r['y']}-Q{r['q']}",
         "cells": [_cell(r[o], suppress) for o in OUTCOMES]} for r in raw["access"]]
    training_rows: list[dict[str, Any]] = [
        {"quarter": f"{r['y']}-Q{r['q']}", "type": itypes.get(r["institution_type"], ""),
         "cells": [_cell(r[s], suppress) for s in TrainingStatus.values],
         "participants": _cell(r["participants"], suppress)} for r in raw["trainings"]]
    return {"charts": charts, "activity_rows": activity_rows, "access_rows": access_rows,
            "training_rows": training_rows, "suppress_below": k,
            "outcomes": [str(Outcome(o).label) for o in OUTCOMES],
            "statuses": [str(TrainingStatus(s).label) for s in TrainingStatus.values]}


def _table_html(view: dict) -> dict:
    """The page's table rows, written here rather than a template tag per cell (about a
    thousand cells): the same HTML the template wrote, escaped the same way."""
    return {"activity_html": [_tr(r.values()) for r in view["activity_rows"]],
            "access_html": [_tr([r["type"], r["quarter"], *r["cells"]])
                            for r in view["access_rows"]],
            "training_html": [_tr([r["quarter"], r["type"], *r["cells"], r["participants"]])
                              for r in view["training_rows"]]}


def _tr(cells: Iterable[object]) -> str:
    return mark_safe("<tr>" + "".join(f"<td>{_td(c)}</td>" for c in cells) + "</tr>")  # noqa: S308 (each cell escaped)


def _td(value: object) -> str:
    """A cell as the template shows it: a number localized, text escaped."""
    if isinstance(value, int) and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return conditional_escape(str(formats.localize(value)))


CACHE_SECONDS = 24 * 3600
CACHE_FORMAT = 1  # changes when what network_view returns changes shape


def cached_view(org_ids: list[int], *, country: str = "", year: int | None = None,
                suppress: bool = True, page: bool = False,
                versions: list[tuple[int, int]] | None = None) -> dict:
    """network_view, kept in the cache under the versions of the organisations' totals
    (models.SummaryVersion; `versions` if the caller read them with the organisations), which
    change in the same transaction as the totals: a change anywhere in the network makes a new
    key, so a kept view is never stale. The versions are read before the totals, so what is
    kept under a version is never older than that version. For the page (`page`), the charts
    and tables are kept rendered (`html`), in the reader's language."""
    if versions is None:
        versions = summary.versions(org_ids)
    parts = (CACHE_FORMAT, get_language(), sorted(org_ids), versions, country, year, suppress,
             page)
    key = "bridgeway.outreach.network." + hashlib.sha256(repr(parts).encode()).hexdigest()
    view = cache.get(key)
    if view is None:
        view = network_view(org_ids, country=country, year=year, suppress=suppress)
        if page:
            view["html"] = render_to_string("outreach/_network_tables.html",
                                            {"view": {**view, **_table_html(view)}})
        cache.set(key, view, CACHE_SECONDS)
    return view


# --- export: one row per country, quarter and kind of activity, with the HXL hashtag row ------

EXPORT_COLUMNS = [
    ("country", "#country+code"), ("country_name", "#country+name"), ("quarter", "#date+quarter"),
    ("sector", "#sector"), ("activity", "#activity+type"), ("activities", "#activity+num"),
    ("reached", "#reached+total"), ("reached_female", "#reached+f"),
    ("reached_male", "#reached+m"), ("reached_children", "#reached+children"),
    ("potential_victims", "#affected+victims"), ("organisations", "#org+num"),
]


def export_rows(org_ids: list[int], *, country: str = "", year: int | None = None,
                suppress: bool = True) -> list[list[object]]:
    kinds = dict(ActivityKind.choices)
    rows = list(Activity.objects.filter(organisation_id__in=org_ids)
                .filter(**({"country": country} if country else {}))
                .filter(**({"started_on__year": year} if year else {}))
                .annotate(y=ExtractYear("started_on"), q=ExtractQuarter("started_on"))
                .values("country", "y", "q", "kind")
                .annotate(n=Count("id"), reached=Sum("reached_total"),
                          female=Sum("reached_female"), male=Sum("reached_male"),
                          children=Sum("reached_age_0_17"), victims=Sum("potential_victims"),
                          orgs=Count("organisation", distinct=True))
                .order_by("country", "y", "q", "kind"))
    out: list[list[object]] = [[c for c, _tag in EXPORT_COLUMNS],
                               [tag for _c, tag in EXPORT_COLUMNS]]
    for r in rows:
        out.append([r["country"], country_name(r["country"]), f"{r['y']}-Q{r['q']}",
                    _("Anti-trafficking protection"), str(kinds.get(r["kind"], r["kind"])),
                    *(_cell(r[key], suppress) for key in ("n", "reached", "female", "male",
                                                          "children", "victims", "orgs"))])
    return out


def export_response(org_ids: list[int], fmt: str, *, country: str = "", year: int | None = None,
                    suppress: bool = True) -> HttpResponse:
    rows = export_rows(org_ids, country=country, year=year, suppress=suppress)
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes([("outreach", [[safe_cell(v) for v in row] for row in rows])]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        fmt = "csv"
        buf = io.StringIO()
        writer = csv.writer(buf)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outreach-activities.{fmt}"'
    return response


def country_access_chart(org_ids: list[int], country: str, *, suppress: bool) -> dict:
    """Access requests to the country's facilities over the last four quarters, by facility type
    and outcome (for the civic-space country page)."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.localdate() - timedelta(days=365)
    rows = (AccessRequest.objects.filter(organisation_id__in=org_ids, facility__country=country,
                                         requested_on__gte=since)
            .values("facility__facility_type", "outcome").annotate(n=Count("outcome"))
            .order_by("facility__facility_type", "outcome"))
    ftypes = dict(FacilityType.choices)
    outcomes = dict(Outcome.choices)
    return bar_chart(
        "outreach-access", _("Access to facilities in the last four quarters"),
        [(f"{ftypes.get(r['facility__facility_type'], '')}: {outcomes.get(r['outcome'], '')}",
          r["n"]) for r in rows],
        unit=_("Access requests"), empty=_("No access requests."),
        suppress_below=SUPPRESS_BELOW if suppress else 0)
