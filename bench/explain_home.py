"""EXPLAIN (ANALYZE, BUFFERS) of every SQL statement the home page runs, for each role of
bench_home.py (issue 18). Run it on a database kept by `bench_home.py --keep` (PostgreSQL only):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \
        /work/main/.venv/bin/python bench/explain_home.py [--plans MS] [--runs N]

Prints, per role, each statement's execution time in the database (the best of --runs EXPLAIN
ANALYZE runs, so a busy machine inflates it less than the page's wall time), its shared buffers
hit/read, the plan's top scan nodes and the first words of the SQL; with --plans MS the whole plan
of every statement slower than MS milliseconds.
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def people():
    from django.contrib.auth import get_user_model

    from bench.generate import existing

    found = existing()
    if not found:
        sys.exit("no kept database: run bench_home.py --keep first")
    orgs, workers = found
    users = get_user_model().objects
    org = orgs[0]
    worker, supervisor = workers[org.pk]
    return [("caseworker", worker), ("supervisor", supervisor),
            ("data protection officer", users.get(email=f"dpo{org.pk}@bench.test")),
            ("agency point of contact", users.get(email="poc@bench.test")),
            ("network coordinator", users.get(email="coord@bench.test")),
            ("organisation administrator", users.get(email=f"admin{org.pk}@bench.test"))]


def explain(sql, params, runs):
    best, plan = None, []
    for _ in range(runs):
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, SUMMARY) " + sql, params)
            lines = [row[0] for row in cur.fetchall()]
        ms = float(re.search(r"Execution Time: ([\d.]+)", "\n".join(lines)).group(1))
        if best is None or ms < best:
            best, plan = ms, lines
    return best, plan


def planning(plan):
    """The planner's time (ms) in the run kept: with client-side binding, as Django sends
    statements, every execution is planned anew (a third of the home page's database time)."""
    found = re.search(r"Planning Time: ([\d.]+)", "\n".join(plan))
    return float(found.group(1)) if found else 0.0


def summary(plan):
    scans = []
    for line in plan:
        found = re.search(r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Heap "
                          r"Scan|Bitmap Index Scan)(?: using \w+)? on \w+)", line)
        if found and found.group(1) not in scans:
            scans.append(found.group(1))
    buffers = next((line.strip() for line in plan if "Buffers:" in line), "")
    return buffers.replace("Buffers: ", ""), "; ".join(scans)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=float, default=None,
                        help="print the whole plan of statements slower than this (ms)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--role", default="", help="only roles whose label contains this")
    parser.add_argument("--path", default="/",
                        help="another page (its menu counts every queue in one statement)")
    args = parser.parse_args()
    from django.test import Client

    from tests.factories import has_totp, with_totp

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=True)
    from django.conf import settings

    settings.BRIDGEWAY_MENU_SECONDS = 0  # the menu's counts asked on every request, not kept
    print(f"load {os.getloadavg()[0]:.2f}")
    grand = 0.0
    for label, user in people():
        if args.role not in label:
            continue
        if not has_totp(user):
            with_totp(user)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for _ in range(2):
            assert client.get(args.path).status_code == 200
        captured = []

        def keep(execute, sql, params, many, context, captured=captured):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(keep):
            assert client.get(args.path).status_code == 200
        total = planned = 0.0
        print(f"\n== {label}: {len(ctx.captured_queries)} statements")
        for n, (sql, params) in enumerate(captured):
            if not sql.lstrip(" (").upper().startswith("SELECT"):
                print(f"  {n:2} (not a SELECT) {sql[:70]}")
                continue
            ms, plan = explain(sql, params, args.runs)
            total += ms
            planned += planning(plan)
            buffers, scans = summary(plan)
            words = re.sub(r"\s+", " ", sql)[:90]
            print(f"  {n:2} {ms:8.3f} ms (planning {planning(plan):.3f})  [{buffers}]  {scans}\n"
                  f"       {words}")
            if args.plans is not None and ms >= args.plans:
                print("\n".join("         " + line for line in plan))
        grand += total
        print(f"  total {total:.2f} ms in the database, and {planned:.2f} ms planning  "
              f"load {os.getloadavg()[0]:.2f}")
    print(f"\nall roles: {grand:.2f} ms")


if __name__ == "__main__":
    main()
