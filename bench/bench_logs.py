"""The audit log and the access log as sentences, at scale (issue 18, "words, not codes").

Creates a throw-away test database, generates synthetic cases with bench/generate.py, then adds
in bulk, for the first organisation, access-log reads grouped as requests (a list page reads 15
persons at once, a case page one) and audit events about its cases. It times, through the real
views, as a data protection officer: the first page of each log, each log filtered by a case's
reference, and a CSV export of a filtered log; p50/p95 and the SQL statements of one request.
What is measured is the cost of the words (objects described a page at a time, grouping by
request), which must not grow with the log: the statement count is the same at any size.

Run on PostgreSQL:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \\
    /work/main/.venv/bin/python bench/bench_logs.py --cases 20000 --reads 20000 --events 100000
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def fill(org, worker, supervisor, reads: int, events: int, log=print):
    from django.utils import timezone

    from bridgeway.cases.models import Case
    from bridgeway.protection.models import AccessLogEntry, AuditEvent, AuditHead

    rnd = random.Random(18)
    cases = list(Case.objects.filter(organisation=org).values_list("pk", "subject_id"))
    now = timezone.now()
    rows, at = [], now
    for n in range(reads):
        at = at - timedelta(seconds=rnd.randint(5, 120))
        user = supervisor if n % 3 else worker
        if n % 4 == 0:  # a list page: 15 persons at once
            chosen, screen = rnd.sample(cases, min(15, len(cases))), "cases:list"
        else:
            chosen, screen = [rnd.choice(cases)], "cases:detail"
        rows += [AccessLogEntry(at=at, user_id=user.pk, subject_id=subject,
                                organisation_id=org.pk, screen=screen, via="ui", flags=[])
                 for _pk, subject in chosen]
        if len(rows) >= 20_000:
            AccessLogEntry.objects.bulk_create(rows)
            rows = []
    AccessLogEntry.objects.bulk_create(rows)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    actions = ["cases.case.opened", "cases.note.added", "cases.case.status_changed",
               "cases.task.added"]
    batch, at = [], now
    for n in range(events):
        at = at - timedelta(seconds=rnd.randint(5, 300))
        pk, _subject = rnd.choice(cases)
        action = actions[n % len(actions)]
        payload = {"from": "active", "to": "follow_up"} if action.endswith("status_changed") \
            else {"child": False}
        # The chain's hashes are not what is measured: the pages never check them.
        batch.append(AuditEvent(seq=last + n + 1, created_at=at, actor_id=worker.pk,
                                organisation_id=org.pk, action=action, object_type="cases.case",
                                object_id=str(pk), payload=payload, prev_hash="0" * 64,
                                hash=f"{n:064x}"))
        if len(batch) >= 20_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    # Events recorded later (an export is recorded) continue after the inserted ones.
    AuditHead.objects.update_or_create(pk=1, defaults={"seq": last + events,
                                                       "hash": f"{events - 1:064x}"})
    log(f"access log: {AccessLogEntry.objects.filter(organisation=org).count():,} entries; "
        f"audit log: {AuditEvent.objects.filter(organisation=org).count():,} events")
    return cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--reads", type=int, default=20_000, help="requests that read persons")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--grow-to", type=int, default=0,
                        help="then add older audit events and access-log reads (inside "
                             "PostgreSQL) until each log holds this many, and time again")
    args = parser.parse_args()
    from django.template.base import PartialTemplate, Template

    plain = Template._render, PartialTemplate._render
    setup_test_environment()
    Template._render, PartialTemplate._render = plain
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def run(args):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.generate import generate
    from bridgeway.cases.models import Case
    from bridgeway.orgs.models import Membership
    from tests.factories import with_totp

    print(f"database: {connection.vendor}; generating {args.cases:,} cases in {args.orgs} "
          "organisations")
    start = time.perf_counter()
    orgs, workers = generate(cases=args.cases, orgs=args.orgs)
    org = orgs[0]
    worker, supervisor = workers[org.pk]
    dpo = get_user_model().objects.create_user(email="dpo@bench.test", password="x",
                                               full_name="Bench Officer")
    Membership.objects.create(user=dpo, organisation=org, role="dpo")
    with_totp(dpo)
    fill(org, worker, supervisor, args.reads, args.events)
    print(f"generated in {time.perf_counter() - start:,.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    reference = Case.objects.filter(organisation=org).values_list("reference", flat=True).first()
    client = Client()
    client.force_login(dpo, backend="django.contrib.auth.backends.ModelBackend")
    base = {"organisation": org.pk}
    pages = [
        ("audit log, first page", "/protection/audit/", base),
        ("audit log, one case", "/protection/audit/", {**base, "subject": reference}),
        ("audit log, CSV of one case", "/protection/audit/",
         {**base, "subject": reference, "format": "csv"}),
        ("access log, first page", "/protection/access-log/", base),
        ("access log, one case", "/protection/access-log/", {**base, "subject": reference}),
        ("access log, list pages only", "/protection/access-log/",
         {**base, "screen": "cases:list"}),
    ]
    first = measure(client, pages, args)
    if args.grow_to and connection.vendor == "postgresql":
        grow(org, worker, supervisor, args.grow_to)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        grown = measure(client, pages, args)
        print(f"\n{'page':30} {'p95 ratio (grown / first)':>26}")
        for label, _url, _params in pages:
            print(f"{label:30} {grown[label][1] / first[label][1]:26.2f}"
                  f"   SQL {first[label][2]} -> {grown[label][2]}")


def measure(client, pages, args):
    from bridgeway.protection.models import AccessLogEntry, AuditEvent

    events = AuditEvent.objects.count()
    reads = AccessLogEntry.objects.count()
    print(f"\n{events:,} audit events, {reads:,} access-log entries; "
          f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}")
    print(f"{'page':30} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}  load")
    results = {}
    for label, url, params in pages:
        for _ in range(3):
            assert client.get(url, params).status_code == 200
        statements = []

        def keep(execute, sql, params_, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params_, many, context)

        with connection.execute_wrapper(keep):
            client.get(url, params)
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda url=url, params=params: [client.get(url, params)
                                                             for _ in range(5)])
            print(label)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(
                os.environ["BENCH_PROFILE"], 30)
        samples = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            response = client.get(url, params)
            samples.append(time.perf_counter() - began)
            assert response.status_code == 200
        p50, p95 = percentiles(samples)
        results[label] = (p50, p95, len(statements))
        print(f"{label:30} {p50 * 1e3:8.1f} {p95 * 1e3:8.1f} {len(statements):5}  "
              f"{os.getloadavg()[0]:.1f}")
    return results


def grow(org, worker, supervisor, total):
    """Older audit events and access-log reads, copied inside PostgreSQL, until each log holds
    `total` rows: the newest rows (the first page) stay the same, the log grows behind them."""
    from bridgeway.protection.models import AccessLogEntry, AuditEvent, AuditHead

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET statement_timeout = 0")
        cur.execute("SELECT max(seq), min(created_at) FROM protection_auditevent")
        last, oldest = cur.fetchone()
        more = total - AuditEvent.objects.count()
        if more > 0:
            cur.execute(
                "INSERT INTO protection_auditevent (seq, created_at, actor_id, organisation_id,"
                " action, object_type, object_id, payload, prev_hash, hash)"
                " SELECT %s + g, %s - g * interval '7 seconds', %s, %s,"
                " (ARRAY['cases.case.opened', 'cases.note.added', 'cases.task.added'])"
                "[1 + mod(g, 3)], 'cases.case', c.id::text, '{\"child\": false}'::jsonb,"
                " repeat('0', 64), lpad(to_hex(g), 64, '0')"
                " FROM generate_series(1, %s) g"
                " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM cases_case"
                "       WHERE organisation_id = %s LIMIT 1000) c"
                "   ON c.n = mod(g, LEAST(1000, (SELECT count(*) FROM cases_case"
                "                               WHERE organisation_id = %s)))",
                [last, oldest, worker.pk, org.pk, more, org.pk, org.pk])
            AuditHead.objects.update_or_create(pk=1, defaults={"seq": last + more,
                                                               "hash": f"{more:064x}"})
        cur.execute("SELECT min(at) FROM protection_accesslogentry")
        (oldest_read,) = cur.fetchone()
        more = total - AccessLogEntry.objects.count()
        if more > 0:
            cur.execute(
                "INSERT INTO protection_accesslogentry (at, user_id, subject_id,"
                " organisation_id, screen, via, flags)"
                " SELECT %s - (g / 15) * interval '40 seconds',"
                " CASE WHEN mod(g / 15, 3) = 0 THEN %s ELSE %s END, c.subject_id, %s,"
                " CASE WHEN mod(g / 15, 4) = 0 THEN 'cases:list' ELSE 'cases:detail' END,"
                " 'ui', '[]'::jsonb"
                " FROM generate_series(1, %s) g"
                " JOIN (SELECT subject_id, row_number() OVER (ORDER BY id) - 1 AS n"
                "       FROM cases_case WHERE organisation_id = %s LIMIT 1000) c"
                "   ON c.n = mod(g, LEAST(1000, (SELECT count(*) FROM cases_case"
                "                               WHERE organisation_id = %s)))",
                [oldest_read, worker.pk, supervisor.pk, org.pk, more, org.pk, org.pk])
    print(f"\ngrown to {total:,} rows in each log in {time.perf_counter() - started:,.0f} s")


if __name__ == "__main__":
    main()
