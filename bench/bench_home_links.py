"""Paired A/B of the home queues' links (issue 18): the caseworker's and supervisor's home page
with each item's link from reverse() ("before") and from core.queues.url_maker ("after"),
requests alternating in one process so that machine load hits both alike. Reuses the database
kept by `bench/bench_home.py --keep`; prints p50/p95, the ratio and the load average.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \
    /work/main/.venv/bin/python bench/bench_home_links.py 60
"""

import os
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


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered) * 1e3, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1e3


def main():
    from django.template.base import PartialTemplate, Template

    plain = Template._render, PartialTemplate._render
    setup_test_environment()
    Template._render, PartialTemplate._render = plain
    connection.creation.create_test_db(verbosity=0, autoclobber=False, keepdb=True)
    from django.test import Client
    from django.urls import reverse

    from bench.generate import existing
    from bridgeway.core import queues

    def before(name):
        return lambda *args: reverse(name, args=args)

    after = queues.url_maker
    modules = [m for n, m in list(sys.modules.items())
               if n.startswith("bridgeway.") and getattr(m, "url_maker", None) is after]

    def use(maker):
        for module in modules:
            module.url_maker = maker

    found = existing()
    if not found:
        sys.exit("no kept database: run bench/bench_home.py --keep first")
    orgs, workers = found
    worker, supervisor = workers[orgs[0].pk]
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    for label, user in (("caseworker", worker), ("supervisor", supervisor)):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        times: dict[str, list[float]] = {"before": [], "after": []}
        for maker in (before, after, before, after):  # warm up
            use(maker)
            client.get("/")
        for i in range(repeat):
            pairs = (("before", before), ("after", after))
            for name, maker in pairs if i % 2 else pairs[::-1]:
                use(maker)
                start = time.perf_counter()
                assert client.get("/").status_code == 200
                times[name].append(time.perf_counter() - start)
        use(after)
        b, a = percentiles(times["before"]), percentiles(times["after"])
        print(f"{label}: reverse() per item p50 {b[0]:.1f} p95 {b[1]:.1f} ms | url_maker p50 "
              f"{a[0]:.1f} p95 {a[1]:.1f} ms | ratio p50 {a[0] / b[0]:.2f} | "
              f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
