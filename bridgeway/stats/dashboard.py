"""Dashboards of the statistics store: aggregates only, added up from each dataset's
pre-computed counts (`DatasetTally`, built with the column store), never from the records, so
a dashboard over millions of records answers in milliseconds.

An organisation's dashboard counts its own datasets (its live cases and its imports), exactly. A
network's counts its members' records and the network's own imports together and protects
every number it shows (`stats.disclosure`): a count from 1 to k-1 is shown as "<11" (small-cell
suppression, k as CTDC uses), and every other count, totals included, is randomly rounded to a
multiple of 5 with a draw fixed by the cell's records, so a suppressed cell cannot be worked out
by subtracting the shown cells from the shown total."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgeway.core import labels as words
from bridgeway.core.charts import bar_chart
from bridgeway.orgs.codes import Service
from bridgeway.orgs.models import NetworkMembership
from bridgeway.referrals.queries import referral_statistics
from bridgeway.stats import codes, columns, disclosure
from bridgeway.stats.models import Dataset, DatasetTally

K_DEFAULT = 11
# (chart id, title, tally field, labels of codes: a dict, or a code set of core.labels); "year"
# reads the totals per year.
CHARTS = [
    ("year", gettext_lazy("Victims by year of registration"), "year", None),
    ("sex", gettext_lazy("Victims by sex"), "gender", "stats.gender"),
    ("age", gettext_lazy("Victims by age band"), "age_band", None),
    ("citizenship", gettext_lazy("Victims by citizenship"), "citizenship", "country"),
    ("exploitation", gettext_lazy("Victims by type of exploitation"), "exploitation",
     "stats.exploitation"),
    ("control", gettext_lazy("Victims by means of control"), "means_of_control",
     "stats.means_of_control"),
    ("recruitment", gettext_lazy("Victims by method of recruitment"), "recruitment_methods",
     "cases.recruitment_method"),
    ("recruiter", gettext_lazy("Victims by relationship to the recruiter"),
     "recruiter_relations", "stats.recruiter"),
    ("services", gettext_lazy("Services delivered (live cases)"), "services",
     dict(Service.choices)),
]


def _word(value, labels) -> str:
    if isinstance(labels, str):
        return words.label(value, labels)
    return str((labels or {}).get(value, value))


def scope_org_ids(org) -> list[int]:
    if not org.is_network:
        return [org.pk]
    members = NetworkMembership.objects.filter(network=org).values_list("member_id", flat=True)
    return [org.pk, *members]


def scope_datasets(org):
    return Dataset.objects.filter(organisation_id__in=scope_org_ids(org)).order_by("-created_at")


def _int(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: [_("Enter a whole number.")]}) from None


def filters_from(params, org) -> dict:
    """The dashboard's filters from a query string. A dataset that is not in the dashboard's
    scope — another organisation's, or one that does not exist — is refused with the same
    message for both (ValidationError naming `dataset`), never silently ignored."""
    allowed = set(scope_datasets(org).values_list("pk", flat=True))
    datasets = []
    for value in params.getlist("dataset"):
        if value in (None, ""):
            continue
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = None
        if pk not in allowed:
            raise ValidationError({"dataset": [
                _("Unknown dataset: choose one of the datasets this dashboard counts.")]})
        datasets.append(pk)
    return {"year_from": _int(params.get("year_from"), "year_from"),
            "year_to": _int(params.get("year_to"), "year_to"),
            "dataset_ids": datasets}


def _fresh(tally: DatasetTally | None, dataset: Dataset) -> bool:
    return (tally is not None and tally.rows == dataset.rows
            and tally.version == columns.TALLY_VERSION)


def tallies(datasets: list[Dataset]) -> tuple[list[dict], list[Dataset]]:
    """The pre-computed counts of each dataset, and the datasets still being counted. A
    dataset without current counts (imported a moment ago, or before the counts existed) is
    counted now if it is small (`BRIDGEWAY_STATS_INLINE_ROWS`); a larger one is handed to the
    worker (`tasks.build_columns`, queued once) and left out until it is done."""
    stored = {t.dataset_id: t for t in DatasetTally.objects.filter(
        dataset_id__in=[d.pk for d in datasets])}
    out, pending = [], []
    for d in datasets:
        tally = stored.get(d.pk)
        if not _fresh(tally, d):
            inline = d.rows <= settings.BRIDGEWAY_STATS_INLINE_ROWS
            if inline:
                columns.rebuild(d, reader=True)
            else:
                columns.queue_build(d)
            # (The worker may have run already, e.g. an immediate task backend.)
            tally = DatasetTally.objects.filter(dataset_id=d.pk).first()
            # Counted just now from the records, it holds whatever they are.
            if tally is None or not (inline or _fresh(tally, d)):
                pending.append(d)
                continue
        assert tally is not None  # noqa: S101 (narrowed above)
        out.append(tally.counts)
    return out, pending


def add_up(counted: list[dict], *, year_from: int | None = None,
           year_to: int | None = None) -> dict[str, dict]:
    """Records and key sums per field and value over the datasets' counts, within the years
    asked for (a record without a year is outside any year filter). "year" holds the totals
    per year, "_total" the grand total under the value ""."""
    sums: dict[str, dict] = {}

    def add(field, value, n, ks):
        cell = sums.setdefault(field, {}).setdefault(value, [0, 0])
        cell[0] += n
        cell[1] += ks

    for counts in counted:
        for field, entries in counts.items():
            for year, value, n, ks in entries:
                if (year_from or year_to) and year is None:
                    continue
                if (year_from and year < year_from) or (year_to and year > year_to):
                    continue
                add(field, value, n, ks)
                if field == "_total" and year is not None:
                    add("year", year, n, ks)
    return sums


# Charts in which each record is counted at most once: with the total, each is a one-way
# table with its margin, which the audit (`disclosure.secure`) checks.
PARTITIONS = ("year", "sex", "age", "citizenship")


def dashboard(org, *, user=None, year_from: int | None = None, year_to: int | None = None,
              dataset_ids: list[int] | None = None) -> dict:
    """Charts (the shared SVG + table helper) for the organisation or network."""
    k = K_DEFAULT if org.is_network else 0
    datasets = scope_datasets(org)
    if dataset_ids:
        datasets = datasets.filter(pk__in=dataset_ids)
    counted, pending = tallies(list(datasets))
    sums = add_up(counted, year_from=year_from, year_to=year_to)
    total_n, total_key = sums.get("_total", {}).get("", (0, 0))
    total = disclosure.Cell(total_n, total_key, k)
    tables: dict[str, list[tuple[str, disclosure.Cell]]] = {}
    for chart_id, _title, field, labels in CHARTS:
        tables[chart_id] = [(_word(value, labels), disclosure.Cell(n, ks, k))
                            for value, (n, ks) in sums.get(field, {}).items()]
    withheld = _secure(total, tables, k) if k else set()
    ages = {b: i for i, b in enumerate(codes.AGE_BANDS)}
    charts = []
    for chart_id, title, _field, _labels in CHARTS:
        rows = [(label, cell.shown) for label, cell in tables[chart_id]]
        if chart_id == "year":
            rows.sort(key=lambda r: r[0])
        elif chart_id == "age":
            rows.sort(key=lambda r: ages.get(r[0], 99))
        else:
            # By the shown numbers, never the true ones (an order by true counts would rank
            # the suppressed cells).
            rows.sort(key=lambda r: (-(r[1] if isinstance(r[1], int) else 0), r[0]))
        charts.append(bar_chart(
            chart_id, str(title), [] if chart_id in withheld else rows, unit=_("Victims"),
            empty=_("Withheld: these numbers could reveal a small count.")
            if chart_id in withheld else ""))
    if user is not None:
        rows = [(label, disclosure.protect(n, disclosure.identity_key("referrals", org.pk, key, n),
                                           k))
                for key, label, n in _referral_outcomes(user, org)]
        charts.append(bar_chart("referrals", _("Referral outcomes"), rows, unit=_("Victims")))
    return {"total": total.shown, "k": k, "charts": charts, "pending": pending}


def _secure(total, tables: dict, k: int) -> set[str]:
    """Audits the total and the one-way charts that split it (`disclosure.secure`): rounding
    changed where a suppressed cell could otherwise be worked out; a chart that cannot be made
    safe so is withheld (returned), and the audit runs again without it."""
    withheld: set[str] = set()
    while True:
        parts = [c for c in PARTITIONS if c not in withheld and tables[c]]
        charts = []
        for chart_id in parts:
            cells = [cell for _label, cell in tables[chart_id]]
            charts.append((cells, total.n - sum(c.n for c in cells)))
        everything = [total, *(c for cells, _blank in charts for c in cells)]
        left = disclosure.secure(everything, lambda charts=charts: disclosure.partition_ranges(
            total, charts, k), k)
        if not left:
            return withheld
        exposed = {id(c) for c in left}
        before = len(withheld)
        if id(total) in exposed:
            withheld.update(parts)
        withheld.update(c for c in parts
                        if any(id(cell) in exposed for _label, cell in tables[c]))
        if len(withheld) == before:
            return withheld


def _referral_outcomes(user, org) -> list[tuple[str, str, int]]:
    """Counts only, from the referral statistics, which apply their own scope to the user."""
    try:
        total = referral_statistics(user)["total"]
    except Http404:
        return []
    return [(key, str(label), total[key]) for key, label in (
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


