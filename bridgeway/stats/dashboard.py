"""Dashboards of the statistics store: aggregates only, read from StatRecord.

An organisation's dashboard counts its own datasets (its live cases and its imports). A
network's counts its members' records and the network's own imports together, and never shows
a count between 1 and k-1: such a cell could point at one member's handful of victims, so it is
shown as "<11" (small-cell suppression, k as CTDC uses)."""

from __future__ import annotations

import csv
import io
from collections import Counter

from django.http import Http404
from django.utils.translation import gettext as _

from bridgeway.core.charts import bar_chart
from bridgeway.orgs.codes import Service
from bridgeway.orgs.models import NetworkMembership
from bridgeway.referrals.queries import referral_statistics
from bridgeway.stats import codes
from bridgeway.stats.models import Dataset, StatRecord

K_DEFAULT = 11
FIELDS = ["year_of_registration", "gender", "age_band", "citizenship", "exploitation",
          "means_of_control", "recruitment_methods", "recruiter_relations", "services"]


def scope_org_ids(org) -> list[int]:
    if not org.is_network:
        return [org.pk]
    members = NetworkMembership.objects.filter(network=org).values_list("member_id", flat=True)
    return [org.pk, *members]


def scope_datasets(org):
    return Dataset.objects.filter(organisation_id__in=scope_org_ids(org)).order_by("-created_at")


def records_for(org, *, year_from: int | None = None, year_to: int | None = None,
                dataset_ids: list[int] | None = None):
    qs = StatRecord.objects.filter(organisation_id__in=scope_org_ids(org))
    if year_from:
        qs = qs.filter(year_of_registration__gte=year_from)
    if year_to:
        qs = qs.filter(year_of_registration__lte=year_to)
    if dataset_ids:
        qs = qs.filter(dataset_id__in=dataset_ids)
    return qs


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def filters_from(params, org) -> dict:
    allowed = set(scope_datasets(org).values_list("pk", flat=True))
    datasets = [d for d in (_int(v) for v in params.getlist("dataset")) if d in allowed]
    return {"year_from": _int(params.get("year_from")), "year_to": _int(params.get("year_to")),
            "dataset_ids": datasets}


def _count(rows, field: str, labels: dict | None = None) -> list[tuple[str, int]]:
    counter: Counter = Counter()
    for row in rows:
        value = row[field]
        for v in value if isinstance(value, list) else [value]:
            if v not in (None, ""):
                counter[str(v)] += 1
    out = [(str((labels or {}).get(k, k)), n) for k, n in counter.items()]
    return out


def dashboard(org, *, user=None, **filters) -> dict:
    """Charts (the shared SVG + table helper) for the organisation or network."""
    k = K_DEFAULT if org.is_network else 0
    rows = list(records_for(org, **filters).values(*FIELDS))
    ages = {b: i for i, b in enumerate(codes.AGE_BANDS)}

    def by_count(items):
        return sorted(items, key=lambda r: (-r[1], r[0]))

    specs = [
        ("year", _("Victims by year of registration"),
         sorted(_count(rows, "year_of_registration"))),
        ("sex", _("Victims by sex"), by_count(_count(rows, "gender"))),
        ("age", _("Victims by age band"),
         sorted(_count(rows, "age_band"), key=lambda r: ages.get(r[0], 99))),
        ("citizenship", _("Victims by citizenship"), by_count(_count(rows, "citizenship"))),
        ("exploitation", _("Victims by type of exploitation"),
         by_count(_count(rows, "exploitation", codes.EXPLOITATION))),
        ("control", _("Victims by means of control"),
         by_count(_count(rows, "means_of_control", codes.MEANS_OF_CONTROL))),
        ("recruitment", _("Victims by method of recruitment"),
         by_count(_count(rows, "recruitment_methods"))),
        ("recruiter", _("Victims by relationship to the recruiter"),
         by_count(_count(rows, "recruiter_relations", codes.RECRUITER))),
    ]
    specs.append(("services", _("Services delivered (live cases)"),
                  by_count(_count(rows, "services", dict(Service.choices)))))
    if user is not None:
        specs.append(("referrals", _("Referral outcomes"), _referral_outcomes(user, org)))
    charts = [bar_chart(cid, title, data, unit=_("Victims"), suppress_below=k)
              for cid, title, data in specs]
    total = len(rows)
    return {"total": total if not (k and 0 < total < k) else f"<{k}", "k": k,
            "charts": charts}


def _referral_outcomes(user, org) -> list[tuple[str, int]]:
    """Counts only, from the referral statistics, which apply their own scope to the user."""
    try:
        total = referral_statistics(user)["total"]
    except Http404:
        return []
    return [(str(label), total[key]) for key, label in (
        ("accepted", _("Accepted")), ("declined", _("Declined")), ("expired", _("Expired")),
        ("pending", _("Pending"))) if total[key]]


def chart_csv(chart: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Category"), chart["unit"]])
    for label, n in chart["rows"]:
        # A category label never starts a formula in a spreadsheet.
        text = str(label)
        writer.writerow(["'" + text if text[:1] in "=+-@\t\r" else text, n])
    return buffer.getvalue()


