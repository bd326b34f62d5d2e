"""Import of generated CTDC-format rows: the real import service (parse, validate every row,
convert, insert in one transaction — through COPY on PostgreSQL) against PostgreSQL's own COPY
of the same file into a plain table of 64 text columns, in one process.
Goal (issue 6): >= 50,000 rows/s and <= 3x COPY.

Besides wall-clock time it prints CPU seconds — of this process (the client) and of the
database backend serving it (read from /proc, so only when PostgreSQL runs on this machine) —
which other work on a shared machine disturbs far less than wall-clock time. It also times the
build of the dataset's column store (stats.columns), which the import job queues as a task of
its own after the import: not part of the import's time.

--breakdown adds, on PostgreSQL, where the time goes: the Python conversion alone, and the same
converted rows COPYed into a copy of the table without indexes, with its indexes, and into the
table itself (rolled back).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/wtstatsbench \
         .venv/bin/python bench/bench_import.py --rows 1000000 [--breakdown]

(The staging alternative and the --without-constraints what-ifs of earlier measurements are in
the history of this file, before StatRecord's migration 0005.)
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def generate(path: Path, rows: int, seed: int = 6) -> None:
    """Rows shaped like CTDC's: most flags 0 or blank (a group is blank when not recorded),
    a few 1s, codes from the real lists."""
    from bridgeway.stats import codes

    rng = random.Random(seed)
    countries = ["MD", "RO", "UA", "PH", "ID", "US", "GB", "NG", "KH", "TH", "MM", "VN", "BY"]
    groups = {}
    for name, kind, target in codes.CTDC_COLUMNS:
        groups.setdefault(target, []).append((name, kind))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(";" + ";".join(codes.CTDC_NAMES) + "\n")
        for n in range(1, rows + 1):
            values = {
                "yearOfRegistration": str(rng.randint(2002, 2020)),
                "Datasource": rng.choice(["Case Management", "Hotline"]),
                "gender": rng.choice(["Female", "Female", "Male", ""]),
                "ageBroad": rng.choice(["0--8", "9--17", "18--20", "21--23", "24--26", "27--29",
                                        "30--38", "39--47", "48+", ""]),
                "majorityStatus": rng.choice(["Adult", "Adult", "Minor", ""]),
                "majorityStatusAtExploit": rng.choice(["Adult", "Minor", ""]),
                "majorityEntry": rng.choice(["Adult", "Minor", ""]),
                "citizenship": rng.choice(countries),
                "CountryOfExploitation": rng.choice(countries + [""]),
                "isAbduction": rng.choice(["0", "1", ""]),
            }
            for cols in groups.values():
                flags = [c for c, kind in cols if kind == "flag"]
                if not flags:
                    continue
                blank = rng.random() < 0.3
                for col in flags:
                    values[col] = "" if blank else ("1" if rng.random() < 0.12 else "0")
            fh.write(str(n) + ";" + ";".join(values.get(c, "") for c in codes.CTDC_NAMES) + "\n")


class Clock:
    """Wall-clock seconds, CPU seconds of this process and of the database backend."""

    def __init__(self) -> None:
        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            if Path(f"/proc/{pid}/stat").exists():
                self.backend = Path(f"/proc/{pid}/stat")

    def now(self) -> tuple[float, float, float | None]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        server = None
        if self.backend is not None:
            fields = self.backend.read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return time.perf_counter(), usage.ru_utime + usage.ru_stime, server

    def measure(self, label: str, work) -> dict:
        start = self.now()
        work()
        end = self.now()
        out = {"wall": end[0] - start[0], "client": end[1] - start[1],
               "server": None if start[2] is None else end[2] - start[2]}
        server = "n/a" if out["server"] is None else f"{out['server']:.2f} s"
        print(f"  {label}: {out['wall']:.2f} s wall; CPU: client {out['client']:.2f} s, "
              f"database {server}", flush=True)
        return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.rows, args.breakdown)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(rows: int, breakdown: bool) -> None:
    from bridgeway.stats import codes
    from bridgeway.stats.models import StatRecord
    from bridgeway.stats.services import import_file
    from tests.factories import OrganisationFactory, UserFactory

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ctdc.csv"
        start = time.perf_counter()
        generate(path, rows)
        print(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - start:.1f} s; load average {os.getloadavg()[0]:.1f}")
        org = OrganisationFactory()
        actor = UserFactory()
        clock = Clock()
        result = {}

        def work():
            result["report"], result["dataset"] = import_file(
                org=org, actor=actor, path=path, kind="ctdc", file_type="csv", dry_run=False)

        ours = clock.measure(f"import service ({connection.vendor})", work)
        report, dataset = result["report"], result["dataset"]
        assert report.ok, report.problems[:5]
        assert StatRecord.objects.filter(dataset=dataset).count() == rows
        if connection.vendor != "postgresql":
            print(f"import service: {rows / ours['wall']:,.0f} rows/s. "
                  "The COPY baseline needs PostgreSQL (set DATABASE_URL).")
            return
        cols = ", ".join(f'"c{i}" text' for i in range(len(codes.CTDC_NAMES) + 1))
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_copy ({cols})")

            def copy_raw():
                with open(path, "rb") as fh, cursor.cursor.copy(
                        "COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
                ) as copy:
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)

            base = clock.measure("PostgreSQL COPY of the same file", copy_raw)
            cursor.execute("SELECT count(*) FROM bench_copy")
            assert cursor.fetchone()[0] == rows
        print(f"import service: {rows / ours['wall']:,.0f} rows/s "
              f"(goal >= 50,000: {'met' if rows / ours['wall'] >= 50000 else 'not met'}); "
              f"COPY: {rows / base['wall']:,.0f} rows/s")
        print(f"ratio import / COPY, wall-clock: {ours['wall'] / base['wall']:.2f}x (goal <= 3x)")
        if ours["server"] is not None:
            ours_cpu = ours["client"] + ours["server"]
            base_cpu = base["client"] + base["server"]
            print(f"ratio import / COPY, CPU (client + database): {ours_cpu / base_cpu:.2f}x "
                  f"({ours_cpu:.2f} s / {base_cpu:.2f} s)")
        from bridgeway.stats import columns

        clock.measure("column store build (its own task after the import, not counted above)",
                      lambda: columns.rebuild(dataset))
        if breakdown:
            write_breakdown(clock, path, tmp, org, rows)


def _copy_file(cursor, table: str, columns: str, path: Path) -> None:
    with open(path, "rb") as fh, cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := fh.read(1 << 20):
            copy.write(chunk)


def write_breakdown(clock: Clock, path: Path, tmp: str, org, rows: int) -> None:
    """Where the time goes, in a transaction that is rolled back."""
    from bridgeway.stats import files
    from bridgeway.stats.importing import COLUMNS, Report, converted_rows
    from bridgeway.stats.models import Dataset, StatRecord

    table = StatRecord._meta.db_table
    columns = ", ".join(COLUMNS)
    print("breakdown (rolled back afterwards):")
    with transaction.atomic():
        scratch = Dataset.objects.create(organisation=org, kind="ctdc", label="bench",
                                         source_sha256="0" * 64)
        converted = Path(tmp) / "converted.txt"

        def convert():
            prefix = f"{org.pk}\t{scratch.pk}\t"
            with open(converted, "w", encoding="utf-8") as out:
                for row in converted_rows("ctdc", files.csv_rows(path, ";"), Report()):
                    out.write(prefix + "\t".join(row) + "\n")

        clock.measure("Python: parse, check and convert every row (no database)", convert)
        print(f"  converted rows as COPY text: {converted.stat().st_size / 1e6:.0f} MB")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_plain (LIKE {table} INCLUDING DEFAULTS "
                           "INCLUDING IDENTITY)")
            clock.measure("COPY converted rows, no index",
                          lambda: _copy_file(cursor, "bench_plain", columns, converted))
            cursor.execute(f"CREATE TABLE bench_indexed (LIKE {table} INCLUDING ALL)")
            clock.measure("COPY converted rows, the table's indexes",
                          lambda: _copy_file(cursor, "bench_indexed", columns, converted))
            clock.measure(f"COPY converted rows into {table}",
                          lambda: _copy_file(cursor, table, columns, converted))
            cursor.execute(f"SELECT count(*) FROM {table} WHERE dataset_id = %s", [scratch.pk])
            assert cursor.fetchone()[0] == rows
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
