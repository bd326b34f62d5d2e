"""A network's k-anonymous cross-tab release over 1M statistics records: the real release
builder (stats.services.release_crosstab: the dataset's column store read from the database,
combinations counted with numpy, generalised and suppressed, k = 11), its SQL-counted
reference path, and the one-off cost of building the column store, against the same GROUP BY in
DuckDB over the same data, in one process.
Goal (issue 6): cross-tab <= 1 s and <= 3x DuckDB.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/wtxtab \
         .venv/bin/python bench/bench_crosstab.py --rows 1000000
(--keep keeps the generated database and reuses it on the next run.)
"""

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

DIMS = ["year", "sex", "age", "citizenship"]
K = 11
LABEL = "bench-crosstab"


def _countries():
    from bridgeway.stats import m49

    # A long tail: a few countries of citizenship hold most victims, many hold a handful, so
    # the generaliser has small cells to deal with (as in CTDC's data).
    common = ["MD", "RO", "UA", "PH", "ID", "US", "GB", "NG", "KH", "TH", "MM", "VN", "BY"]
    rest = [c for c in sorted(m49.SUBREGION_OF) if c not in common][:120]
    weights = [200.0] * len(common) + [200.0 / (i + 2) ** 1.3 for i in range(len(rest))]
    return common + rest, weights


def _record_values(rng, countries, weights):
    from bridgeway.stats import codes

    return {
        "year_of_registration": rng.randint(2002, 2020) if rng.random() > 0.02 else None,
        "gender": rng.choice(["Female", "Female", "Male", "", "TransgenderNonConforming"]
                             if rng.random() < 0.01 else ["Female", "Female", "Male", ""]),
        "age_band": rng.choice([*codes.AGE_BANDS, ""]),
        "citizenship": rng.choices(countries, weights)[0],
        "country_of_exploitation": rng.choices(countries, weights)[0],
        "majority_status": rng.choice(["Adult", "Adult", "Minor", ""]),
        "datasource": rng.choice(["Case Management", "Hotline"]),
    }


def generate(rows: int, seed: int = 6):
    """A network, its coordinator and one dataset of `rows` records in the network's store;
    inserted with COPY on PostgreSQL, bulk_create elsewhere."""
    from bridgeway.orgs.models import Membership
    from bridgeway.stats.fields import CodeSetField
    from bridgeway.stats.models import Dataset, StatRecord
    from tests.factories import OrganisationFactory, UserFactory

    network = OrganisationFactory(name="Bench network", org_type="CSONetwork", country="RO")
    coordinator = UserFactory()
    Membership.objects.create(user=coordinator, organisation=network, role="network_coordinator")
    dataset = Dataset.objects.create(organisation=network, kind="ctdc", label=LABEL, rows=rows)
    rng = random.Random(seed)
    countries, weights = _countries()
    fields = [f for f in StatRecord._meta.concrete_fields if not f.primary_key]
    # The list fields (bit masks since migration stats/0005): empty.
    list_fields = {f.column for f in fields if isinstance(f, CodeSetField)}
    if connection.vendor == "postgresql":
        cols = [f.column for f in fields]
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {StatRecord._meta.db_table} ({', '.join(cols)}) FROM STDIN") as copy:
            buffer = []
            for _n in range(rows):
                values = _record_values(rng, countries, weights)
                line = []
                for f in fields:
                    if f.column == "organisation_id":
                        line.append(str(network.pk))
                    elif f.column == "dataset_id":
                        line.append(str(dataset.pk))
                    elif f.column in list_fields:
                        line.append("0")
                    else:
                        v = values.get(f.name, None if f.null else "")
                        line.append("\\N" if v is None else str(v))
                buffer.append("\t".join(line) + "\n")
                if len(buffer) >= 20000:
                    copy.write("".join(buffer))
                    buffer = []
            if buffer:
                copy.write("".join(buffer))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {StatRecord._meta.db_table}")
    else:
        batch = []
        for _n in range(rows):
            batch.append(StatRecord(organisation=network, dataset=dataset,
                                    **_record_values(rng, countries, weights)))
            if len(batch) >= 10000:
                StatRecord.objects.bulk_create(batch)
                batch = []
        StatRecord.objects.bulk_create(batch)
    return network, coordinator, dataset


def existing():
    from bridgeway.orgs.models import Membership
    from bridgeway.stats.models import Dataset

    dataset = Dataset.objects.filter(label=LABEL).first()
    if dataset is None:
        return None
    member = Membership.objects.filter(organisation=dataset.organisation,
                                       role="network_coordinator").first()
    return dataset.organisation, member.user, dataset


def export_csv(dataset, path: Path) -> None:
    """The same records, once, to a CSV file DuckDB loads into its own table."""
    from bridgeway.stats.models import StatRecord

    cols = ["year_of_registration", "gender", "age_band", "citizenship"]
    if connection.vendor == "postgresql":
        table = StatRecord._meta.db_table
        sql = (f"COPY (SELECT {', '.join(cols)} FROM {table} WHERE dataset_id = {dataset.pk}) "
               "TO STDOUT (FORMAT csv, HEADER true)")
        with connection.cursor() as cursor, open(path, "wb") as fh, \
                cursor.cursor.copy(sql) as copy:
            for chunk in copy:
                fh.write(chunk)
        return
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(cols)
        out.writerows(dataset.records.values_list(*cols).iterator(chunk_size=10000))


def p50(fn, repeat: int):
    times, result = [], None
    for _i in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated database and reuse it on the next run")
    args = parser.parse_args()
    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keep,
                                             keepdb=args.keep)
    try:
        run(args)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old, verbosity=0)


def run(args) -> None:
    import duckdb
    from django.db.models import Count

    from bridgeway.stats import release as method
    from bridgeway.stats import services

    found = existing() if args.keep else None
    if found:
        network, coordinator, dataset = found
        print(f"database: {connection.vendor}; reusing {dataset.records.count():,} records")
    else:
        start = time.perf_counter()
        network, coordinator, dataset = generate(args.rows)
        print(f"database: {connection.vendor}; generated {args.rows:,} records in "
              f"{time.perf_counter() - start:.1f} s")
    rows = dataset.records.count()

    # The one-off cost of the column store: paid when records are written (live_refresh
    # rebuilds it inside its transaction; an import job queues its build as a task after the
    # import), not by a release. The generator above writes with COPY directly, so build it
    # here, timed, in a transaction.
    from django.db import transaction

    from bridgeway.stats import columns

    def build_columns():
        with transaction.atomic():
            return columns.rebuild(dataset)

    build, build_min, _c = p50(build_columns, 1)
    print(f"column store build (once per dataset write: import job's task, live refresh or "
          f"first release): {build:.2f} s for {rows:,} records")

    # (a) The release builder's cross-tab, as release_create computes it before its pycanon
    # check: the columns read from the database, combinations counted with numpy, generalised,
    # small cells suppressed.
    ours, ours_min, result = p50(lambda: services.release_crosstab(dataset, DIMS, K),
                                 args.repeat)
    cells = len(result["cells"])
    print(f"cross-tab k={K} over {', '.join(DIMS)}: {cells:,} cells, "
          f"{result['suppressed']} suppressed, steps: {result['steps'] or 'none'}")
    print(f"  release builder cross-tab (column store): p50 {ours:.3f} s (min {ours_min:.3f} s)")
    sqlpath, sql_min, sql_result = p50(lambda: services.release_crosstab_sql(dataset, DIMS, K),
                                       args.repeat)
    assert sql_result == result, "column store and SQL paths differ"
    print(f"  SQL path (GROUP BY in the database, then generalise): p50 {sqlpath:.3f} s "
          f"(min {sql_min:.3f} s)")

    # For the record: the whole draft release (adds the independent pycanon check over the
    # records the table describes, the save and the audit event), and the old row-by-row path.
    n = [0]

    def whole():
        n[0] += 1
        return services.release_create(org=network, actor=coordinator, dataset=dataset,
                                       kind="crosstab", title=f"bench {n[0]}", dimensions=DIMS,
                                       k=K)

    full, full_min, release = p50(whole, max(1, args.repeat // 2))
    # The published counts are rounded to a multiple of 5 by cell key (issue 16): same cells.
    assert [c["values"] for c in release.result["cells"]] == [c["values"] for c in result["cells"]]
    print(f"  whole release_create (with pycanon check, save, audit): p50 {full:.3f} s "
          f"(min {full_min:.3f} s)")
    check, check_min, k_new = p50(lambda: method.pycanon_k_crosstab(result, DIMS),
                                  max(1, args.repeat // 2))
    check_old, _m, k_old = p50(lambda: method.pycanon_k(method.crosstab_rows(result), DIMS), 1)
    assert k_new == k_old
    print(f"  its pycanon check: frame built column-wise {check:.3f} s (min {check_min:.3f} s); "
          f"one list per record, as before: {check_old:.3f} s (k = {k_new})")
    rowwise, _m, old_result = p50(
        lambda: method.crosstab(services._release_raw(dataset), DIMS, K), 1)
    assert old_result["cells"] == result["cells"], "grouped and row paths differ"
    print(f"  row-by-row path (load 1 dict per record, generalise in Python): {rowwise:.3f} s")

    # For the record: the database's own GROUP BY, the floor under (a).
    sql, params = (dataset.records.order_by()
                   .values("year_of_registration", "gender", "age_band", "citizenship")
                   .annotate(n=Count("id")).query.sql_with_params())

    def in_db():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    pg, pg_min, _r = p50(in_db, args.repeat)
    print(f"  the GROUP BY alone in {connection.vendor}: p50 {pg:.3f} s (min {pg_min:.3f} s)")

    # (b) DuckDB: the same GROUP BY over the same records, exported once into a DuckDB table.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.csv"
        export_csv(dataset, path)
        db = duckdb.connect()
        db.execute(f"CREATE TABLE r AS SELECT * FROM read_csv('{path}', header = true, "
                   "all_varchar = true)")
        assert db.execute("SELECT count(*) FROM r").fetchone()[0] == rows
    query = ("SELECT year_of_registration, gender, age_band, citizenship, count(*) AS n "
             "FROM r GROUP BY ALL")
    base, base_min, grouped = p50(lambda: db.execute(query).fetchall(), max(args.repeat, 5))
    print(f"  DuckDB GROUP BY (in-process, table in memory): p50 {base:.4f} s "
          f"(min {base_min:.4f} s), {len(grouped):,} groups")
    # For the record: DuckDB on one thread, as the column store's numpy counting runs.
    db.execute("SET threads = 1")
    one, one_min, _g = p50(lambda: db.execute(query).fetchall(), max(args.repeat, 5))
    print(f"  DuckDB GROUP BY on one thread: p50 {one:.4f} s (min {one_min:.4f} s); "
          f"cross-tab / that: {ours / one:.2f}x")
    ratio = ours / base
    print(f"ratio cross-tab / DuckDB: {ratio:.2f}x (goal <= 3x: "
          f"{'met' if ratio <= 3 else 'not met'}); seconds goal <= 1 s: "
          f"{'met' if ours <= 1 else 'not met'}")
    print(f"  (SQL path / DuckDB: {sqlpath / base:.1f}x; the column store build, paid once at "
          f"import: {build:.2f} s)")


if __name__ == "__main__":
    main()
