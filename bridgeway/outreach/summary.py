"""The network view's running totals (models.Summary), kept in step with the records.

Every write of an activity, access request or training goes through services._write, which
takes the record's old contribution away and adds its new one in the same transaction; a deleted
record takes its contribution away (a pre_delete signal, so any deletion path is covered).
Additions are one upsert per key (INSERT ... ON CONFLICT DO UPDATE n = n + excluded.n), so two
transactions adding to the same row do not lose an update. Every change also gives the
organisation's totals a new version (models.SummaryVersion), first, in the same transaction: the
network view is cached under these versions (network.cached_view). Taking the version row first
also makes two transactions writing for the same organisation queue there instead of locking
summary rows in opposite orders. `rebuild` recomputes the totals of
some organisations from the records (after a bulk load, or when a facility changes type or
country); `direct` is the same aggregate counted from the records, what the tests compare with.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear

from bridgeway.outreach.models import (
    AccessRequest,
    Activity,
    Summary,
    SummaryVersion,
    Training,
)

KEY = ("organisation_id", "source", "country", "year", "quarter", "kind", "status")
SUMS = ("n", "reached", "female", "male", "children", "victims")
Row = dict[str, Any]


def contribution(record: Any) -> Row | None:
    """What one record adds to the totals (None: nothing)."""
    if isinstance(record, Activity):
        day = record.started_on
        return {"organisation_id": record.organisation_id, "source": "activity",
                "country": record.country, "year": day.year, "quarter": (day.month - 1) // 3 + 1,
                "kind": record.kind, "status": "", "n": 1,
                "reached": record.reached_total or 0, "female": record.reached_female or 0,
                "male": record.reached_male or 0, "children": record.reached_age_0_17 or 0,
                "victims": record.potential_victims or 0}
    if isinstance(record, AccessRequest):
        day, facility = record.requested_on, record.facility
        return {"organisation_id": record.organisation_id, "source": "access",
                "country": facility.country, "year": day.year,
                "quarter": (day.month - 1) // 3 + 1, "kind": facility.facility_type,
                "status": record.outcome, "n": 1, "reached": 0, "female": 0, "male": 0,
                "children": 0, "victims": record.presumed_victims or 0}
    if isinstance(record, Training):
        day = record.planned_on
        return {"organisation_id": record.organisation_id, "source": "training",
                "country": record.country, "year": day.year,
                "quarter": (day.month - 1) // 3 + 1, "kind": record.institution_type,
                "status": record.status, "n": 1, "reached": record.participants_total,
                "female": record.participants_female or 0,
                "male": record.participants_male or 0, "children": 0, "victims": 0}
    return None


def move(before: Row | None, after: Row | None) -> None:
    """One record's contribution goes from `before` to `after` (None: nothing), in the caller's
    transaction: a new version for its organisation(s), then the two upserts."""
    if before == after:
        return
    bump({r["organisation_id"] for r in (before, after) if r is not None})
    _add(before, -1)
    _add(after, 1)


def add(row: Row | None, sign: int = 1) -> None:
    """Adds (sign 1) or takes away (sign -1) one contribution, in the caller's transaction."""
    move(None, row) if sign > 0 else move(row, None)


def _add(row: Row | None, sign: int) -> None:
    if row is None:
        return
    values = [row[c] for c in KEY] + [sign * row[c] for c in SUMS]
    with connection.cursor() as cur:
        cur.execute(_upsert_sql(), values)
    if sign < 0:
        Summary.objects.filter(n__lte=0, **{c: row[c] for c in KEY}).delete()


def bump(org_ids: set[int] | list[int]) -> None:
    """New versions of these organisations' totals (in order, so two transactions bumping
    several take the rows in the same order)."""
    if not org_ids:
        return
    table = connection.ops.quote_name(SummaryVersion._meta.db_table)
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} (organisation_id, version) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT (organisation_id) DO UPDATE SET version = excluded.version",
            [(org_id, secrets.randbits(62)) for org_id in sorted(org_ids)])




def _upsert_sql() -> str:
    """Identifiers only from the constants above; the values are parameters."""
    table = connection.ops.quote_name(Summary._meta.db_table)
    cols = [*KEY, *SUMS]
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in SUMS)
    return (f"INSERT INTO {table} ({', '.join(cols)}) "  # noqa: S608 (no input in the text)
            f"VALUES ({', '.join(['%s'] * len(cols))}) "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sets}")


def direct(org_ids: list[int]) -> dict[tuple, Row]:
    """The totals counted from the records themselves, keyed like the summary."""
    out: dict[tuple, Row] = {}

    def put(source: str, rows: Any, status: str | None = None) -> None:
        for r in rows:
            key = (r["organisation_id"], source, r["c"], r["y"], r["q"], r["k"],
                   r.get("s", "") if status is None else status)
            out[key] = {s: r.get(s) or 0 for s in SUMS}

    put("activity", Activity.objects.filter(organisation_id__in=org_ids)
        .annotate(y=ExtractYear("started_on"), q=ExtractQuarter("started_on"), c=F("country"),
                  k=F("kind"))
        .values("organisation_id", "c", "y", "q", "k")
        .annotate(n=Count("id"), reached=Sum("reached_total"), female=Sum("reached_female"),
                  male=Sum("reached_male"), children=Sum("reached_age_0_17"),
                  victims=Sum("potential_victims")).order_by(), status="")
    put("access", AccessRequest.objects.filter(organisation_id__in=org_ids)
        .annotate(y=ExtractYear("requested_on"), q=ExtractQuarter("requested_on"),
                  c=F("facility__country"), k=F("facility__facility_type"), s=F("outcome"))
        .values("organisation_id", "c", "y", "q", "k", "s")
        .annotate(n=Count("id"), victims=Sum("presumed_victims")).order_by())
    put("training", Training.objects.filter(organisation_id__in=org_ids)
        .annotate(y=ExtractYear("planned_on"), q=ExtractQuarter("planned_on"), c=F("country"),
                  k=F("institution_type"), s=F("status"))
        .values("organisation_id", "c", "y", "q", "k", "s")
        .annotate(n=Count("id"), female=Sum("participants_female"),
                  male=Sum("participants_male"), other=Sum("participants_sex_other"))
        .order_by())
    for key, row in out.items():
        if key[1] == "training":
            row["reached"] = row["female"] + row["male"] + (row.pop("other", 0) or 0)
        row.pop("other", None)
    return out


def stored(org_ids: list[int]) -> dict[tuple, Row]:
    return {tuple(r[c] for c in KEY): {s: r[s] for s in SUMS}
            for r in Summary.objects.filter(organisation_id__in=org_ids).values(*KEY, *SUMS)}


def versions(org_ids: list[int]) -> list[tuple[int, int]]:
    """The versions of these organisations' totals (an organisation never written has none)."""
    return sorted(SummaryVersion.objects.filter(organisation_id__in=org_ids)
                  .values_list("organisation_id", "version"))


@transaction.atomic
def rebuild(org_ids: list[int] | None = None) -> int:
    """Recomputes the totals of `org_ids` (every organisation with records or totals when
    None). One transaction: a network view read meanwhile sees the old totals under the old
    versions, never the table half-rebuilt under the new ones."""
    if org_ids is None:
        org_ids = sorted({*Activity.objects.values_list("organisation_id", flat=True).distinct(),
                          *AccessRequest.objects.values_list("organisation_id",
                                                             flat=True).distinct(),
                          *Training.objects.values_list("organisation_id", flat=True).distinct(),
                          *Summary.objects.values_list("organisation_id", flat=True).distinct()})
    bump(org_ids)
    Summary.objects.filter(organisation_id__in=org_ids).delete()
    rows = [Summary(**dict(zip(KEY, key, strict=True)), **sums)
            for key, sums in direct(org_ids).items()]
    Summary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


SOURCES = ("activity", "access", "training")


def scoped(org_ids: list[int], *, country: str = "", year: int | None = None):
    # The three sources named: the index on (source, year, organisation) serves a year.
    qs = Summary.objects.filter(organisation_id__in=org_ids, source__in=SOURCES)
    if country:
        qs = qs.filter(country=country)
    if year:
        qs = qs.filter(year=year)
    return qs


def _on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A deleted record takes its contribution away, whatever deleted it (as stored: the
    instance in hand may be stale)."""
    add(contribution(sender._default_manager.filter(pk=instance.pk).first()), -1)


def connect() -> None:
    from django.db.models.signals import pre_delete

    for model in (Activity, AccessRequest, Training):
        pre_delete.connect(_on_delete, sender=model, dispatch_uid=f"outreach-summary-{model}")
