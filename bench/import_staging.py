"""A measured alternative to the import service, kept to reproduce the figures in
docs/benchmarks.md ("Statistics import"): COPY the raw CTDC file into a temporary staging table
of text columns, check every cell in SQL and convert with one INSERT … SELECT.

Only the cost of a good file is measured: each cell is compared with the exact spellings the
Python converter accepts (found by running the converter's own functions over candidate
spellings, so the SQL mapping is the Python one), and every row of the generated file passes.
A product version would read the rows that fail back into the Python converter for the report,
and fall back to the Python path for quotes, mixed line ends or empty lines, where COPY and
Python's csv module read a file differently. It was not made one: it costs the database about
as much CPU as the whole import service uses in Python and in the database together, and all of
it on the database's one core (see the figures).
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import connection
from django.utils import timezone

from bridgeway.stats import codes
from bridgeway.stats.importing import _AGE, COLUMNS, DEFAULTS, NULL, RECORD_FIELDS, _Bad

STAGE = "bench_import_stage"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _candidates(kind: str) -> list[str]:
    if kind == "year":
        return ["", *(str(y) for y in range(1990, timezone.localdate().year + 1))]
    if kind == "country":
        import pycountry

        return ["", *(c.alpha_2 for c in pycountry.countries)]
    if kind == "age":
        return ["", *_AGE]
    table, extra = {
        "gender": (codes.CTDC_GENDER, codes.CTDC_GENDER_OUT.values()),
        "majority": (codes.MAJORITY, codes.MAJORITY.values()),
        "datasource": (codes.DATASOURCES, codes.DATASOURCE_OUT.values()),
    }[kind]
    words = [*table, *table.values(), *extra]
    return sorted({""} | {f(w) for w in words for f in (str, str.lower, str.upper, str.title)})


def header_of(path: Path) -> tuple[list[str], int]:
    with open(path, "rb") as fh:
        raw = fh.readline()
    return next(csv.reader([raw.decode("utf-8-sig").rstrip("\r\n")], delimiter=";")), len(raw)


def plan(converter) -> tuple[str, str]:
    """(condition: every cell has a spelling SQL reads, StatRecord values in RECORD_FIELDS
    order) for the converter's header."""
    kinds = {name: kind for name, kind, _t in codes.CTDC_COLUMNS}
    exprs: dict[str, str] = {}
    checks: list[str] = []
    for index, name, target, convert in converter.scalars:
        col = f"c{index}"
        mapping = {raw: v for raw in _candidates(kinds[name])
                   if (v := convert(raw)).__class__ is not _Bad}
        checks.append(f"{col} = ANY(ARRAY[{','.join(_lit(r) for r in mapping)}]::text[])")
        if kinds[name] == "year":
            exprs[target] = f"NULLIF({col}, '')::smallint"
        elif all(raw == value for raw, value in mapping.items()):
            exprs[target] = col
        else:
            exprs[target] = f"CASE {col} " + " ".join(
                f"WHEN {_lit(r)} THEN {_lit(v)}" for r, v in mapping.items()) + " END"
    blanks = []
    for target, slices in converter.groups:
        items = []
        for cols, *_rest in slices:
            for index, name, code in cols:
                checks.append(f"c{index} IN ('0', '1', '')")
                items.append(f"CASE WHEN c{index} = '1' THEN {_lit(code)} END")
                blanks.append(f"CASE WHEN c{index} = '' THEN {_lit(name)} END")
        exprs[target] = f"to_jsonb(array_remove(ARRAY[{', '.join(items)}]::text[], NULL))"
    if converter.abduction is not None:
        col = f"c{converter.abduction}"
        checks.append(f"{col} IN ('0', '1', '')")
        exprs["is_abduction"] = f"CASE {col} WHEN '1' THEN true WHEN '0' THEN false END"
    if blanks:
        exprs["unreported"] = f"to_jsonb(array_remove(ARRAY[{', '.join(blanks)}]::text[], NULL))"
    majority, age = exprs.get("majority_status", "''"), exprs.get("age_band", "''")
    exprs["is_child"] = (f"CASE WHEN {majority} = 'Minor' OR {age} IN ('0-8', '9-17') THEN true "
                         f"WHEN {majority} = 'Adult' OR {age} <> '' THEN false END")
    values = []
    for target, default in zip(RECORD_FIELDS, DEFAULTS, strict=True):
        if target in exprs:
            values.append(exprs[target])
        else:
            values.append("NULL" if default == NULL else
                          f"{_lit(default)}::jsonb" if default.startswith("[") else _lit(default))
    return " AND ".join(checks), ", ".join(values)


def stage(path: Path, offset: int, width: int) -> int:
    cols = ", ".join(f"c{i}" for i in range(width))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"CREATE TEMP TABLE {STAGE} (n integer GENERATED ALWAYS AS IDENTITY, "
                       + ", ".join(f"c{i} text" for i in range(width)) + ")")
        with open(path, "rb") as fh, cursor.cursor.copy(
                f"COPY {STAGE} ({cols}) FROM STDIN (FORMAT csv, DELIMITER ';', "
                f"FORCE_NOT_NULL ({cols}))") as copy:
            fh.seek(offset)
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        cursor.execute(f"SELECT count(*) FROM {STAGE}")
        return cursor.fetchone()[0]


def insert(ok: str, values: str, *, org_id: int, dataset_id: int) -> int:
    from bridgeway.stats.models import StatRecord

    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {StatRecord._meta.db_table} ({', '.join(COLUMNS)}) "
                       f"SELECT %s, %s, {values} FROM {STAGE} WHERE {ok}", [org_id, dataset_id])
        return cursor.rowcount
