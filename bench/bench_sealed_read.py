"""Reading an import from its sealed upload (decrypted in memory as it is read, issue 16) against
reading the same file in clear from disk (what the import did before, after writing a `.plain`
copy): the passes an import job makes over a CSV — SHA-256, line count, and the rows.

Run: .venv/bin/python bench/bench_sealed_read.py --rows 1000000
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bridgeway.stats import files, services  # noqa: E402
from bridgeway.stats.models import ImportJob  # noqa: E402


def passes(source) -> tuple[float, int]:
    start = time.perf_counter()
    services.sha256_of(source)
    files.count_lines(source)
    rows = sum(1 for _row in files.csv_rows(source, ","))
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings.BRIDGEWAY_IMPORT_DIR = Path(tmp)
        plain = Path(tmp) / "clear.csv"
        with open(plain, "w", encoding="utf-8") as fh:
            fh.write("prs_FirstName,prs_Gender,yearOfRegistration,vic_MethodsOfControl\n")
            for i in range(args.rows):
                fh.write(f"Name{i % 997},Feminine,{2010 + i % 12},DebtBondage\n")
        job = ImportJob(pk=1)
        with open(plain, "rb") as fh:
            services._store_sealed(job, iter(lambda: fh.read(services._CHUNK), b""))
        size = plain.stat().st_size / 1e6
        # Before: the whole upload decrypted to a `.plain` file, then read from it.
        start = time.perf_counter()
        copy = Path(tmp) / "job-1-x.plain"
        with open(copy, "wb") as out, services._SealedUpload(job).open_bytes() as src:
            while chunk := src.read(services._CHUNK):
                out.write(chunk)
        unseal_s = time.perf_counter() - start
        clear_s, n = passes(copy)
        clear_s += unseal_s
        sealed_s, m = passes(services._SealedUpload(job))
        assert n == m == args.rows + 1
        print(f"{args.rows} rows, {size:.1f} MB: before (decrypt to a clear file, read it) "
              f"{clear_s:.2f} s "
              f"({args.rows / clear_s:,.0f} rows/s); sealed, decrypted in memory "
              f"{sealed_s:.2f} s ({args.rows / sealed_s:,.0f} rows/s); "
              f"ratio {sealed_s / clear_s:.2f}")


if __name__ == "__main__":
    main()
