"""Paired A/B of the home page's counts (session 29): every full queue's capped count asked in
one statement after the pages (core.queues.PendingCount) against one statement per count (as
before), requests alternating in one process so that machine load hits both alike. Runs on a
database kept by `bench_home.py --keep`; prints p50/p95, statements, ratios and the load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \
        /work/main/.venv/bin/python bench/bench_home_counts.py 40
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    from django.template.base import PartialTemplate, Template

    plain = Template._render, PartialTemplate._render
    setup_test_environment()
    Template._render, PartialTemplate._render = plain
    connection.creation.create_test_db(verbosity=0, autoclobber=False, keepdb=True)
    from django.test import Client

    from bench.bench_home import percentiles
    from bench.generate import existing
    from bridgeway.core import queues
    from tests.factories import has_totp, with_totp

    orgs, workers = existing()
    real = queues._deferring

    class OneByOne:  # the context variable, never set: count_and_page counts at once
        @staticmethod
        def set(value):
            return real.set(False)

        reset = staticmethod(real.reset)
        get = staticmethod(real.get)

    for role, user in zip(["caseworker", "supervisor"], workers[orgs[0].pk], strict=True):
        if not has_totp(user):
            with_totp(user)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        times = {"together": [], "one by one": []}
        statements = {}
        for i in range(n * 2 + 6):
            side = "together" if i % 2 else "one by one"
            queues._deferring = OneByOne if side == "one by one" else real  # type: ignore
            try:
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    assert client.get("/").status_code == 200
                    took = time.perf_counter() - start
            finally:
                queues._deferring = real
            statements[side] = len(ctx.captured_queries)
            if i >= 6:  # warm-up
                times[side].append(took)
        (a50, a95), (b50, b95) = percentiles(times["one by one"]), percentiles(times["together"])
        print(f"{role:11} one by one p50/p95 {a50 * 1e3:6.1f}/{a95 * 1e3:6.1f} ms "
              f"({statements['one by one']} statements); together {b50 * 1e3:6.1f}/"
              f"{b95 * 1e3:6.1f} ms ({statements['together']}); ratio p50 {b50 / a50:.2f} "
              f"p95 {b95 / a95:.2f}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
