"""The column store behind the release builder's cross-tabs (issue 6: a k-anonymous cross-tab
over 1M records in well under a second).

For each dataset, every quasi-identifier a release may use (`release.DIMENSIONS`) is kept as a
`DatasetColumn`: its distinct raw values and one small integer code per record. A cross-tab then
reads a few compressed arrays instead of grouping a million rows in the database, counts the
combinations of raw values with numpy (a mixed-radix index per record, then `bincount`), and
runs the generalisation loop of `release._choose_levels` over those counts with lookup arrays
(raw value code → generalised value code) instead of Python dicts. The result is the same dict
`release.crosstab_counts` returns (tests compare it with the SQL-counted and row-by-row paths).

The columns are a derived copy of StatRecord: the live refresh rebuilds them in its
transaction; an import does not wait for them (a new dataset has none; the import job queues
`tasks.build_columns` once the records are committed). Deleting a dataset deletes its columns
(cascade), and `load` refuses columns built for another number of records than the dataset
holds, so a stale or missing column is rebuilt on first use rather than read. Writers lock the
dataset's row before they change its records and `rebuild` locks it before it reads them, so a
rebuild on first use that races a live refresh cannot store columns of the records the refresh
replaced.
"""

from __future__ import annotations

import zlib
from math import prod

import numpy as np
from django.db import IntegrityError, connection, transaction

from bridgeway.stats import disclosure
from bridgeway.stats.fields import CodeSetField
from bridgeway.stats.models import (
    Dataset,
    DatasetColumn,
    DatasetTally,
    StatRecord,
    lock_dataset,
)
from bridgeway.stats.release import (
    DIMENSIONS,
    MAX_LEVEL,
    MAX_SUPPRESSED_SHARE,
    STEP_NAMES,
    generalise,
)

_FETCH = 50_000
# Up to this many possible combinations of values, counting uses one slot per possible
# combination (np.bincount); above, it sorts the combinations present. From _WIDE_LIMIT on, a
# combination no longer fits one 64-bit key and the rows of codes are sorted instead.
_DENSE_LIMIT = 1 << 22
_WIDE_LIMIT = 1 << 62

Column = tuple[list, np.ndarray]  # (distinct raw values, one code per record)


_DTYPES = ("uint8", "uint16", "uint32")


def _dtype(distinct: int) -> str:
    return "uint8" if distinct <= 1 << 8 else "uint16" if distinct <= 1 << 16 else "uint32"


# The dashboards' charts (`dashboard.CHARTS`) count these fields, per year of registration.
TALLY_FIELDS = ["gender", "age_band", "citizenship", "exploitation", "means_of_control",
                "recruitment_methods", "recruiter_relations", "services"]
TALLY_VERSION = 1
# The column of record keys (`disclosure.record_keys`), aligned with the others.
KEY = "record_key"


def _set_fields() -> dict:
    return {f.name: f for f in StatRecord._meta.concrete_fields if isinstance(f, CodeSetField)}


def _encode(dataset: Dataset) -> tuple[int, dict[str, Column], np.ndarray]:
    """Reads the dataset's records once (one query, every field the columns and the tally
    need, so they are aligned) and codes each field (codes in order of first appearance, by
    batch). List fields are read as their bit masks. Also returns each record's key."""
    dims = list(DIMENSIONS)
    fields = list(dict.fromkeys([DIMENSIONS[d] for d in dims] + TALLY_FIELDS))
    meta = StatRecord._meta
    names = ["id", "record_key", *fields]
    # Raw columns, not values_list: the list fields stay integers (masks), not lists.
    sql = (f"SELECT {', '.join(meta.get_field(n).column for n in names)} "  # noqa: S608
           f"FROM {meta.db_table} WHERE dataset_id = %s")
    seen: list[dict] = [{} for _f in fields]
    chunks: list[list[np.ndarray]] = [[] for _f in fields]
    ids: list[np.ndarray] = []
    stored_keys: list[np.ndarray] = []
    rows = 0
    # A server-side cursor on PostgreSQL: a million records are read in batches, never held
    # whole in memory.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [dataset.pk])
        while batch := cursor.fetchmany(_FETCH):
            rows += len(batch)
            columns_of_batch = list(zip(*batch, strict=True))
            ids.append(np.array(columns_of_batch[0], dtype=np.int64))
            stored_keys.append(np.array([-1 if v is None else v for v in columns_of_batch[1]],
                                        dtype=np.int16))
            for i, values in enumerate(columns_of_batch[2:]):
                index = seen[i]
                for new in sorted(set(values) - index.keys(), key=repr):
                    index[new] = len(index)
                chunks[i].append(np.fromiter(map(index.__getitem__, values), dtype=np.uint32,
                                             count=len(values)))
    coded = {}
    for i, f in enumerate(fields):
        codes = np.concatenate(chunks[i]) if chunks[i] else np.zeros(0, dtype=np.uint32)
        coded[f] = (list(seen[i]), codes.astype(_dtype(len(seen[i]))))
    columns = {d: coded[DIMENSIONS[d]] for d in dims}
    for f in TALLY_FIELDS:
        columns.setdefault(f, coded[f])
    # Imported records: the key of their position in the dataset (in the order they were
    # written, i.e. of their ids), so a rebuild gives the same keys; live records keep the key
    # their case gave them.
    pks = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    given = np.concatenate(stored_keys) if stored_keys else np.zeros(0, dtype=np.int16)
    ranks = np.empty(rows, dtype=np.int64)
    ranks[np.argsort(pks, kind="stable")] = np.arange(rows, dtype=np.int64)
    keys = np.where(given >= 0, given,
                    disclosure.record_keys(f"dataset:{dataset.pk}", ranks)).astype(np.uint8)
    return rows, columns, keys


def _pairs(a: np.ndarray, b: np.ndarray, radix: int, keys: np.ndarray):
    """The (a, b) code pairs present, with how many records and the sum of their keys."""
    key = a.astype(np.int64) * radix + b.astype(np.int64)
    if len(key) and int(key.max()) < _DENSE_LIMIT:
        n = np.bincount(key)
        present = np.flatnonzero(n)
        ks = np.bincount(key, weights=keys, minlength=len(n))[present]
        n = n[present]
    else:
        present, inverse = np.unique(key, return_inverse=True)
        n = np.bincount(inverse.ravel(), minlength=len(present))
        ks = np.bincount(inverse.ravel(), weights=keys, minlength=len(present))
    return present // radix, present % radix, n.astype(np.int64), ks.astype(np.int64)


def tally(columns: dict[str, Column], keys: np.ndarray) -> dict:
    """The dashboard counts of one dataset from its coded fields: for each field (and "_total")
    a list of [year, value, records, key sum], blank values left out (the total keeps them).
    A list field counts a record once under each of its codes."""
    years, ycodes = columns["year"]
    weights = keys.astype(np.float64)
    out: dict = {"_total": []}
    y, _v, n, ks = _pairs(ycodes, np.zeros(len(ycodes), dtype=np.uint8), 1, weights)
    out["_total"] = [[years[a], "", int(c), int(s)] for a, c, s in zip(y, n, ks, strict=True)]
    sets = _set_fields()
    for field in TALLY_FIELDS:
        values, codes = columns[field]
        y, v, n, ks = _pairs(ycodes, codes, max(len(values), 1), weights)
        cells: dict = {}
        for a, b, c, s in zip(y.tolist(), v.tolist(), n.tolist(), ks.tolist(), strict=True):
            value = values[b]
            if field in sets:
                names = sets[field].codes
                labels = [names[i] for i in range(len(names)) if value and value >> i & 1]
            else:
                labels = [] if value in (None, "") else [value]
            for label in labels:
                cell = cells.setdefault((years[a], label), [0, 0])
                cell[0] += c
                cell[1] += s
        out[field] = [[year, label, c, s] for (year, label), (c, s) in cells.items()]
    return {"version": TALLY_VERSION, "counts": out}


def rebuild(dataset: Dataset, *, reader: bool = False) -> dict[str, Column]:
    """Builds every column of the dataset and its dashboard tally from its records and stores
    them, replacing any earlier ones. Called by the live refresh inside its transaction (it
    holds the dataset's row lock from before its first write), and as a `reader` by the task
    an import job queues and by `load` when a column is missing or stale.

    The dataset's row is locked before the records are read: a reader waits for a writer that
    is changing the records and then reads what it committed, and a writer waits for a reader's
    rebuild, then replaces its columns. So columns are never built from superseded records."""
    with transaction.atomic():
        lock_dataset(dataset.pk)
        rows, columns, keys = _encode(dataset)
        counted = tally(columns, keys)
        columns = {d: columns[d] for d in DIMENSIONS}
        columns[KEY] = (list(range(disclosure.KEY_SPACE)), keys)
        stored = [DatasetColumn(dataset=dataset, dimension=d, dtype=str(codes.dtype),
                                values=values, codes=zlib.compress(codes.tobytes(), 1),
                                rows=rows)
                  for d, (values, codes) in columns.items()]
        try:
            with transaction.atomic():
                DatasetColumn.objects.filter(dataset=dataset).delete()
                DatasetColumn.objects.bulk_create(stored)
                DatasetTally.objects.filter(dataset=dataset).delete()
                DatasetTally.objects.create(dataset=dataset, rows=rows,
                                            version=counted["version"],
                                            counts=counted["counts"])
        except IntegrityError:
            # Only a reader can meet this: another reader stored the columns after our delete
            # and before our insert, from the same committed records (both held the lock in
            # turn on PostgreSQL; SQLite serialises writers).
            if not reader:
                raise
    return columns


def built(dataset: Dataset, dims: list[str]) -> bool:
    """Whether the columns of `dims` are stored for the dataset's current number of records
    (`load` would read them rather than build them). Reads no column."""
    return DatasetColumn.objects.filter(dataset_id=dataset.pk, dimension__in=set(dims),
                                        rows=dataset.rows).count() == len(set(dims))


def load(dataset: Dataset, dims: list[str]) -> list[Column]:
    """The columns of `dims`, aligned; rebuilt first if any is missing, was built for another
    number of records than the dataset holds now, or does not read back whole."""
    rows = Dataset.objects.filter(pk=dataset.pk).values_list("rows", flat=True).first()
    stored = {c.dimension: c for c in DatasetColumn.objects.filter(
        dataset_id=dataset.pk, dimension__in=set(dims))}
    read = {}
    if len(stored) == len(set(dims)) and {c.rows for c in stored.values()} == {rows}:
        for d, c in stored.items():
            if c.dtype not in _DTYPES:
                break
            codes = np.frombuffer(zlib.decompress(bytes(c.codes)), dtype=c.dtype)
            if len(codes) != rows or (rows and int(codes.max()) >= len(c.values)):
                break
            read[d] = (c.values, codes)
    if len(read) < len(set(dims)):
        built = rebuild(dataset, reader=True)
        return [built[d] for d in dims]
    return [read[d] for d in dims]


def _split(keys: np.ndarray, radices: list[int]) -> list[np.ndarray]:
    """Mixed-radix keys back to one code per dimension (first dimension most significant)."""
    out = []
    for r in reversed(radices):
        out.append(keys % r)
        keys = keys // r
    return out[::-1]


def _join(codes: list[np.ndarray], radices: list[int]) -> np.ndarray:
    key = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    for c, r in zip(codes, radices, strict=True):
        key *= r
        key += c
    return key


def _count(codes: list[np.ndarray], radices: list[int],
           weights: np.ndarray | None = None) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct combinations of codes (one array per dimension) in lexicographic order,
    first dimension most significant, and how many records (or the sum of `weights`) each."""
    space = prod(radices)
    if space >= _WIDE_LIMIT:
        # Too many possible combinations for one integer key: sort the rows of codes.
        combos, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=weights, minlength=len(combos))
        return [combos[:, i] for i in range(len(codes))], sums.astype(np.int64)
    key = _join(codes, radices)
    if space <= _DENSE_LIMIT:
        sums = np.bincount(key, weights=weights, minlength=space)
        present = np.flatnonzero(sums)
        return _split(present, radices), sums[present].astype(np.int64)
    keys, inverse = np.unique(key, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=weights, minlength=len(keys))
    return _split(keys, radices), sums.astype(np.int64)


def raw_groups(columns: list[Column]) -> tuple[list[np.ndarray], np.ndarray]:
    """The combinations of raw values present (codes per dimension) and how many records each."""
    return _count([codes.astype(np.int64) for _values, codes in columns],
                  [max(len(values), 1) for values, _codes in columns])


class _Generaliser:
    """For one dimension: at each level, the generalised values in sorted order and the lookup
    array from a raw value's code to its generalised value's code."""

    def __init__(self, dim: str, values: list) -> None:
        self.dim, self.values, self._cache = dim, values, {}

    def at(self, level: int) -> tuple[list[str], np.ndarray]:
        if level not in self._cache:
            out = [generalise(self.dim, v, level) for v in self.values]
            ordered = sorted(set(out))
            position = {v: i for i, v in enumerate(ordered)}
            self._cache[level] = (ordered, np.array([position[v] for v in out], dtype=np.int64))
        return self._cache[level]


def _sums_by_group(codes: list[np.ndarray], radices: list[int], weights: np.ndarray,
                   groups: list[np.ndarray]) -> np.ndarray | None:
    """The sum of `weights` of the rows of `codes` in each of `groups` (the distinct
    combinations, in `_count`'s order); None when the combinations do not fit one key."""
    if prod(radices) >= _WIDE_LIMIT:
        return None
    group_keys = _join([g.astype(np.int64) for g in groups], radices)
    if not len(group_keys):
        return np.zeros(0, dtype=np.int64)
    index = np.searchsorted(group_keys, _join([c.astype(np.int64) for c in codes], radices))
    return np.bincount(index, weights=weights, minlength=len(group_keys)).astype(np.int64)


def crosstab(columns: list[Column], dims: list[str], k: int, *,
             keys: np.ndarray | None = None, extras: dict | None = None) -> dict:
    """The k-anonymous cross-tab of aligned columns: the same steps, cells and suppression as
    `release.crosstab_counts` over the same records. Given the records' `keys` and an `extras`
    dict, also puts there each cell's key sum ("key_sums", aligned with the cells; None if the
    combinations are too many to key) and the number of records in suppressed cells
    ("suppressed_records"), for publishing (`stats.disclosure`)."""
    group_codes, n = raw_groups(columns)
    group_keys = None
    if keys is not None:
        group_keys = _sums_by_group([c for _v, c in columns],
                                    [max(len(v), 1) for v, _c in columns],
                                    keys.astype(np.float64), group_codes)
    generalisers = [_Generaliser(d, values) for d, (values, _codes) in zip(dims, columns,
                                                                           strict=True)]
    total = int(n.sum())
    levels = {d: 0 for d in dims}
    steps: list[str] = []
    while True:
        tables = [g.at(levels[d]) for g, d in zip(generalisers, dims, strict=True)]
        codes = [lookup[c] for (_ordered, lookup), c in zip(tables, group_codes, strict=True)]
        radices = [max(len(ordered), 1) for ordered, _lookup in tables]
        cells, sizes = _count(codes, radices, weights=n)
        small = int(sizes[sizes < k].sum())
        if small <= MAX_SUPPRESSED_SHARE * total:
            break
        open_dims = [d for d in dims if levels[d] < MAX_LEVEL.get(d, 0)]
        if not open_dims:
            break
        distinct = {d: len(np.unique(codes[dims.index(d)])) for d in open_dims}
        pick = max(open_dims, key=lambda d: (distinct[d], d))
        levels[pick] += 1
        steps.append(f"{pick}: {STEP_NAMES[pick][levels[pick]]}")
    # Cells come in the order of sorted tuples of generalised values: sorted(sizes.items()).
    labels = [np.array(ordered, dtype=object)[c] if len(ordered) else np.array([], dtype=object)
              for (ordered, _lookup), c in zip(tables, cells, strict=True)]
    if extras is not None:
        extras["suppressed_records"] = int(sizes[sizes < k].sum())
        extras["sizes"] = sizes.tolist()
        extras["key_sums"] = None
        if group_keys is not None:
            sums = _sums_by_group(codes, radices, group_keys.astype(np.float64), cells)
            extras["key_sums"] = None if sums is None else sums.tolist()
    cells = [{"values": list(combo), "count": count if count >= k else None}
             for combo, count in zip(zip(*labels, strict=True), sizes.tolist(), strict=True)]
    return {"dimensions": dims, "cells": cells, "steps": steps,
            "suppressed": int((sizes < k).sum())}


def queue_build(dataset: Dataset) -> None:
    """Hands the dataset's columns and counts to the worker (`tasks.build_columns`), once per
    dataset size while a build may still be waiting: a dashboard asked for again and again
    queues one build, not one per request."""
    from django.core.cache import cache

    from bridgeway.stats.tasks import build_columns

    if cache.add(f"bridgeway.stats.build.{dataset.pk}.{dataset.rows}", 1, timeout=15 * 60):
        build_columns.enqueue(dataset.pk)
