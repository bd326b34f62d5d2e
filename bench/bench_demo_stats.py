"""The statistics part of `demo_seed` (it runs on every fresh `make run`): generating the demo
network's 3,200 CTDC records, importing them through the import service, and building,
approving and publishing the k-anonymous release — each timed, in a transaction rolled back, so
the database is left as it was. Goal (issue 18): a few seconds at most.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench \
         .venv/bin/python bench/bench_demo_stats.py [--repeat 5]
(it creates and drops its own test database, as the other benchmarks do)
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


class _Undo(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        run(args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(repeat: int) -> None:
    from bridgeway.stats import demo, release
    from tests.factories import MembershipFactory, OrganisationFactory

    release.pycanon_k([["a"]], ["x"])  # pycanon and pandas load once per process, not per seed
    network = OrganisationFactory(name="Bench network", org_type="CSONetwork", country="RO")
    importer = MembershipFactory(organisation=network, role="network_coordinator").user
    approver = MembershipFactory(organisation=network, role="network_coordinator").user
    generate, total = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        rows = demo.generated_rows()
        generate.append(time.perf_counter() - start)
        try:
            with transaction.atomic():
                start = time.perf_counter()
                demo.seed_demo(network=network, importer=importer, approver=approver)
                total.append(time.perf_counter() - start)
                raise _Undo
        except _Undo:
            pass
    print(f"{connection.vendor}: {len(rows):,} records, {repeat} runs")
    print(f"generate rows   median {statistics.median(generate) * 1000:7.1f} ms")
    print(f"seed (generate, import, release, approve, publish) median "
          f"{statistics.median(total) * 1000:7.1f} ms, max {max(total) * 1000:7.1f} ms")
    print(f"records per second {len(rows) / statistics.median(total):,.0f}; "
          f"ratio to a 3 s budget {statistics.median(total) / 3:.2f}")


if __name__ == "__main__":
    main()
