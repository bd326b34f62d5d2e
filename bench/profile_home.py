"""Where the home page's Python time goes (issue 18): cProfile of N requests of one role's home
page on a database kept by `bench_home.py --keep`, sorted by own time and by cumulative time,
plus the split between time inside cursor.execute (the database and its round trips) and the
rest (Python: building and compiling querysets, items, the template).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \
        /work/main/.venv/bin/python bench/profile_home.py --role caseworker -n 50
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", default="caseworker", choices=["caseworker", "supervisor"])
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    from django.template.base import PartialTemplate, Template

    plain = Template._render, PartialTemplate._render
    setup_test_environment()
    Template._render, PartialTemplate._render = plain
    connection.creation.create_test_db(verbosity=0, autoclobber=False, keepdb=True)
    from django.test import Client

    from bench.generate import existing
    from tests.factories import has_totp, with_totp

    orgs, workers = existing()
    worker, supervisor = workers[orgs[0].pk]
    user = worker if args.role == "caseworker" else supervisor
    if not has_totp(user):
        with_totp(user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    for _ in range(5):
        assert client.get("/").status_code == 200
    in_db = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_db.append(time.perf_counter() - start)

    walls, sql_times, counts = [], [], []
    with connection.execute_wrapper(timed):
        for _ in range(args.n):
            in_db.clear()
            start = time.perf_counter()
            client.get("/")
            walls.append(time.perf_counter() - start)
            sql_times.append(sum(in_db))
            counts.append(len(in_db))
    wall, sql = statistics.median(walls), statistics.median(sql_times)
    print(f"{args.role}: p50 {wall * 1e3:.1f} ms, of which in cursor.execute {sql * 1e3:.1f} ms "
          f"({counts[-1]} statements), Python {(wall - sql) * 1e3:.1f} ms; "
          f"load {os.getloadavg()[0]:.1f}")
    if args.no_profile:
        return
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [client.get("/") for _ in range(args.n)])
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.lines)
    stats.sort_stats("cumulative").print_stats(args.lines * 2)


if __name__ == "__main__":
    main()
