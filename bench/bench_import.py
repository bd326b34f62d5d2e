"""Import of generated CTDC-format rows: the real import service (parse, validate every row,
convert, insert in one transaction — through COPY on PostgreSQL) against PostgreSQL's own COPY
of the same file into a plain table of 64 text columns, in one process.
Goal (issue 6): >= 50,000 rows/s and <= 3x COPY.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/wtstatsbench \
         .venv/bin/python bench/bench_import.py --rows 1000000
"""

import argparse
import os
import random
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(rows: int) -> None:
    from bridgeway.stats import codes
    from bridgeway.stats.models import StatRecord
    from bridgeway.stats.services import import_file
    from tests.factories import OrganisationFactory, UserFactory

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ctdc.csv"
        start = time.perf_counter()
        generate(path, rows)
        print(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - start:.1f} s")
        org = OrganisationFactory()
        actor = UserFactory()
        start = time.perf_counter()
        report, dataset = import_file(org=org, actor=actor, path=path, kind="ctdc",
                                      file_type="csv", dry_run=False)
        ours = time.perf_counter() - start
        assert report.ok, report.problems[:5]
        assert StatRecord.objects.filter(dataset=dataset).count() == rows
        print(f"import service ({connection.vendor}): {ours:.2f} s, {rows / ours:,.0f} rows/s")
        if connection.vendor != "postgresql":
            print("COPY baseline needs PostgreSQL (set DATABASE_URL).")
            return
        cols = ", ".join(f'"c{i}" text' for i in range(len(codes.CTDC_NAMES) + 1))
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_copy ({cols})")
            start = time.perf_counter()
            with open(path, "rb") as fh, cursor.cursor.copy(
                    "COPY bench_copy FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)") as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            baseline = time.perf_counter() - start
            cursor.execute("SELECT count(*) FROM bench_copy")
            assert cursor.fetchone()[0] == rows
        print(f"PostgreSQL COPY of the same file: {baseline:.2f} s, {rows / baseline:,.0f} rows/s")
        print(f"ratio import / COPY: {ours / baseline:.2f}x (goal <= 3x); "
              f"rows/s goal >= 50,000: {'met' if rows / ours >= 50000 else 'not met'}")


if __name__ == "__main__":
    main()
