"""Outreach at scale (issue 21).

Creates a throw-away test database, a network of organisations, and bulk-inserts synthetic
activities, access requests (to a shared facility register) and trainings. Then:

1. Sync of an outbox: 200 records in one POST to /api/v1/outreach/sync/ against one record
   posted alone (the same service path: validation, encryption, audit, receipt), as seconds and
   server time per record.
2. The network view (/outreach/network/ as the network's coordinator: the aggregates by
   country, quarter and kind, access outcomes by facility type and quarter, trainings, charts,
   suppression, template) over 100,000 activities and 20,000 access requests: p50/p95.
   Goal p95 <= 100 ms on PostgreSQL.
3. The weight of the three field forms: first load (page + every asset, gzip as served) and
   after (the page alone; assets come from the browser's and the service worker's cache).
   Goal <= 60 KB first, <= 15 KB after.

Run on PostgreSQL:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB \
    /work/main/.venv/bin/python bench/bench_outreach.py --activities 100000 --access 20000 [--keep]
"""

import argparse
import gzip
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
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


def generate(*, activities: int, access: int, trainings: int, orgs: int, seed: int = 21):
    from django.contrib.auth import get_user_model

    from bridgeway.orgs.models import Membership, NetworkMembership, Organisation
    from bridgeway.outreach.codes import (
        ActivityKind,
        Condition,
        FacilityType,
        InstitutionType,
        Outcome,
        TrainingStatus,
    )
    from bridgeway.outreach.models import AccessRequest, Activity, Facility, Training

    rng = random.Random(seed)
    users = get_user_model()
    network = Organisation.objects.create(name="Bench network", org_type="CSONetwork",
                                          country="RO")
    members = Organisation.objects.bulk_create([
        Organisation(name=f"Bench outreach CSO {i:03d}", org_type="NGO",
                     country=rng.choice(["MD", "RO", "UA"])) for i in range(orgs)])
    NetworkMembership.objects.bulk_create([NetworkMembership(network=network, member=o)
                                           for o in members])
    workers = []
    for org in members:
        user = users.objects.create_user(email=f"outreach{org.pk}@bench.test",
                                         full_name=f"Outreach worker {org.pk}")
        Membership.objects.create(user=user, organisation=org, role="caseworker")
        workers.append(user)
    coordinator = users.objects.create_user(email="outreach-coord@bench.test",
                                            full_name="Coordinator")
    Membership.objects.create(user=coordinator, organisation=network, role="network_coordinator")
    facilities = Facility.objects.bulk_create([
        Facility(network=network, added_by_org=members[i % orgs], name=f"Facility {i}",
                 facility_type=rng.choice(FacilityType.values),
                 country=rng.choice(["MD", "RO", "UA"]), created_by=workers[i % orgs])
        for i in range(200)])
    start = date(2023, 1, 1)
    span = (date.today() - start).days
    kinds, outcomes = ActivityKind.values, Outcome.values
    batch = 5000
    for first in range(0, activities, batch):
        rows = []
        for i in range(first, min(activities, first + batch)):
            f, m = rng.randint(0, 40), rng.randint(0, 40)
            kids = rng.randint(0, f + m)
            rows.append(Activity(
                organisation=members[i % orgs], created_by=workers[i % orgs],
                kind=rng.choice(kinds), country=rng.choice(["MD", "RO", "UA"]),
                started_on=start + timedelta(days=rng.randint(0, span)),
                target_groups=["migrants"], reached_total=f + m, reached_female=f,
                reached_male=m, reached_age_0_17=kids, reached_age_18_59=f + m - kids,
                potential_victims=rng.randint(0, 2)))
        Activity.objects.bulk_create(rows)
    for first in range(0, access, batch):
        rows = []
        for i in range(first, min(access, first + batch)):
            asked = start + timedelta(days=rng.randint(0, span - 20))
            outcome = rng.choice(outcomes)
            rows.append(AccessRequest(
                organisation=members[i % orgs], created_by=workers[i % orgs],
                facility=facilities[i % len(facilities)], requested_on=asked, outcome=outcome,
                answered_on=asked + timedelta(days=5) if outcome != "pending" else None,
                conditions=[Condition.ESCORT] if outcome == "conditions" else []))
        AccessRequest.objects.bulk_create(rows)
    Training.objects.bulk_create([Training(
        organisation=members[i % orgs], created_by=workers[i % orgs],
        institution_type=rng.choice(InstitutionType.values), country="MD", topic="Indicators",
        planned_on=start + timedelta(days=rng.randint(0, span)),
        status=rng.choice(TrainingStatus.values)) for i in range(trainings)])
    return network, members, workers, coordinator


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--access", type=int, default=20_000)
    parser.add_argument("--trainings", type=int, default=5_000)
    parser.add_argument("--orgs", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only", choices=["all", "network"], default="all",
                        help="network: only the network view (no sync, no form weights)")
    parser.add_argument("--rebuild", action="store_true",
                        help="with --keep: rebuild the summary table (done after generating)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the network page and API: cProfile, statement list, "
                             "time per phase")
    args = parser.parse_args()
    from django.template.base import PartialTemplate, Template

    plain = Template._render, PartialTemplate._render
    setup_test_environment()
    Template._render, PartialTemplate._render = plain
    old = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keep,
                                             keepdb=args.keep)
    try:
        run(args)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old, verbosity=0)


def _client(user):
    from django.test import Client

    from tests.factories import has_totp, with_totp

    if not has_totp(user):
        with_totp(user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def run(args):
    from django.contrib.auth import get_user_model

    from bridgeway.outreach.models import AccessRequest, Activity

    users = get_user_model()
    reused = args.keep and users.objects.filter(email="outreach-coord@bench.test").exists()
    if reused:
        coordinator = users.objects.get(email="outreach-coord@bench.test")
        workers = list(users.objects.filter(email__startswith="outreach",
                                            email__endswith="@bench.test")
                       .exclude(pk=coordinator.pk).order_by("pk"))
        print(f"database: {connection.vendor}; reusing {Activity.objects.count():,} activities")
    else:
        print(f"database: {connection.vendor}; generating {args.activities:,} activities, "
              f"{args.access:,} access requests, {args.trainings:,} trainings in "
              f"{args.orgs} organisations")
        t0 = time.perf_counter()
        _network, _members, workers, coordinator = generate(
            activities=args.activities, access=args.access, trainings=args.trainings,
            orgs=args.orgs)
        print(f"generated in {time.perf_counter() - t0:,.0f} s")
    from bridgeway.outreach import summary
    from bridgeway.outreach.models import Summary

    if not reused or args.rebuild or not Summary.objects.exists():
        t0 = time.perf_counter()
        rows = summary.rebuild()  # bulk_create bypasses the services: recompute the totals
        print(f"summary rebuilt: {rows:,} rows in {time.perf_counter() - t0:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
    print(f"activities {Activity.objects.count():,}, access requests "
          f"{AccessRequest.objects.count():,}")

    if args.only == "all":
        sync_and_forms(args, workers)
    network_view(args, coordinator)


def sync_and_forms(args, workers):
    # 1. sync
    worker = workers[0]
    org_id = worker.memberships.filter(is_active=True).values_list("organisation_id",
                                                                   flat=True).first()
    client = _client(worker)

    def entry():
        return {"client_id": str(uuid.uuid4()), "kind": "activity", "organisation": org_id,
                "values": {"kind": "outreach_round", "country": "MD", "region": "North",
                           "place": "Market area", "started_on": "2026-03-02",
                           "reached_total": 12, "reached_female": 7, "reached_male": 5,
                           "reached_age_18_59": 12, "languages": ["ro"],
                           "potential_victims": 1}}

    client.post("/api/v1/outreach/sync/", {"entries": [entry()]},
                content_type="application/json")  # warm
    singles = []
    for _i in range(20):
        t = time.perf_counter()
        r = client.post("/api/v1/outreach/sync/", {"entries": [entry()]},
                        content_type="application/json")
        singles.append(time.perf_counter() - t)
        assert r.status_code == 200, r.content
    batch = [entry() for _i in range(200)]
    t = time.perf_counter()
    r = client.post("/api/v1/outreach/sync/", {"entries": batch}, content_type="application/json")
    whole = time.perf_counter() - t
    assert r.status_code == 200, r.content
    t = time.perf_counter()
    again = client.post("/api/v1/outreach/sync/", {"entries": batch},
                        content_type="application/json")
    resend = time.perf_counter() - t
    assert again.status_code == 200
    single = statistics.median(singles)
    print("\nsync of an outbox")
    print(f"  one record posted alone      {single * 1000:8.1f} ms (median of 20)")
    print(f"  200 records in one batch     {whole:8.2f} s   = {whole / 200 * 1000:.1f} ms per "
          f"record ({single / (whole / 200):.1f}x cheaper per record than alone)")
    print(f"  the same 200 sent again      {resend:8.2f} s   (answered from receipts, nothing "
          "written)")

    forms(client)


def network_view(args, coordinator):
    # 2. network view
    from bridgeway.orgs.models import Organisation
    from bridgeway.outreach import summary

    org_ids = list(Organisation.objects.filter(name__startswith="Bench outreach CSO")
                   .values_list("pk", flat=True))
    coord = _client(coordinator)
    # Kept: the view as most requests find it (cached under the totals' versions). Cold: new
    # versions before each request, as after a write anywhere in the network: nothing kept.
    figures = {}
    for path in ("/outreach/network/", "/api/v1/outreach/network/"):
        for how in ("kept", "cold"):
            coord.get(path)
            samples, cpu = [], []
            for _i in range(args.repeat):
                if how == "cold":
                    summary.bump(org_ids)
                t, c = time.perf_counter(), time.process_time()
                response = coord.get(path)
                samples.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                assert response.status_code == 200
            p50, p95 = figures[path, how] = percentiles(samples)
            c50, c95 = percentiles(cpu)
            print(f"\nnetwork view {path:28} {how}  p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
                  f"goal p95 <= 100   (load average {_load()})\n"
                  f"  of which this process's CPU (no waiting for the database or for a core): "
                  f"p50 {c50:.1f} ms, p95 {c95:.1f} ms")
            if args.profile:
                profile(coord, path, cold=org_ids if how == "cold" else None)
        (c50, c95), (k50, k95) = figures[path, "cold"], figures[path, "kept"]
        print(f"  ratio cold / kept (same process)  p50 {c50 / k50:.1f}x   p95 {c95 / k95:.1f}x")

    # Same run, same load: the aggregates read from the running totals against the same rows
    # counted from the records (the view before the summary table), in-process.
    from bridgeway.outreach import network

    year = date.today().year
    assert network.aggregates(org_ids, year=year) == network.aggregates_direct(org_ids, year=year)
    print("\naggregates, in-process (this year, 40 organisations)")
    timings = {}
    for name, fn in (("direct count (before)", network.aggregates_direct),
                     ("summary table (now)", network.aggregates)):
        fn(org_ids, year=year)
        samples = []
        for _i in range(args.repeat):
            t = time.perf_counter()
            fn(org_ids, year=year)
            samples.append((time.perf_counter() - t) * 1000)
        timings[name] = percentiles(samples)
        print(f"  {name:24} p50 {timings[name][0]:6.1f} ms   p95 {timings[name][1]:6.1f} ms")
    before, now = timings["direct count (before)"], timings["summary table (now)"]
    print(f"  ratio before / now      p50 {before[0] / now[0]:5.1f}x   p95 "
          f"{before[1] / now[1]:5.1f}x")



def forms(client):
    # 3. form weight
    from django.contrib.staticfiles import finders

    assets = ["bridgeway/app.css", "bridgeway/app.js", "django_htmx/htmx-2.min.js",
              "outreach/outbox.js"]
    asset_raw = asset_gz = 0
    for a in assets:
        data = Path(finders.find(a)).read_bytes()
        asset_raw += len(data)
        asset_gz += len(gzip.compress(data, 6))
    print(f"\nfield forms (assets: {asset_raw / 1024:.1f} KB, {asset_gz / 1024:.1f} KB gzip)")
    print(f"  {'form':34} {'page KB':>8} {'gzip':>6} {'first load gzip':>16} {'after gzip':>11}"
          "  goal 60 / 15")
    for path in ("/outreach/activities/new/", "/outreach/access/new/",
                 "/outreach/trainings/new/"):
        html = client.get(path).content
        gz = len(gzip.compress(html, 6))
        print(f"  {path:34} {len(html) / 1024:8.1f} {gz / 1024:6.1f} "
              f"{(gz + asset_gz) / 1024:16.1f} {gz / 1024:11.1f}")


def _load():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


# Where a request's time goes: (label, file ending, function), read from cProfile's cumulative
# times. Nested: the view includes the aggregates and the template; what is outside the view is
# the middleware stack (session, MFA, access log) and the test client.
PHASES = [
    ("whole request (test client)", "django/test/client.py", "get"),
    ("view: network page", "bridgeway/outreach/views.py", "network"),
    ("view: network API", "bridgeway/outreach/api.py", "get"),
    ("  scope and permission", "bridgeway/outreach/queries.py", "network_scope"),
    ("  countries of work (filter)", "bridgeway/outreach/queries.py", "countries_of_work"),
    ("  network_view (all)", "bridgeway/outreach/network.py", "network_view"),
    ("  cached_view (all)", "bridgeway/outreach/network.py", "cached_view"),
    ("    aggregates (summary reads)", "bridgeway/outreach/network.py", "aggregates"),
    ("  template render", "django/shortcuts.py", "render"),
    ("    menu (context processor)", "bridgeway/core/context_processors.py", "navigation"),
    ("  API serialisation", "rest_framework/response.py", "rendered_content"),
    ("SQL statements (cursor execute)", "django/db/backends/utils.py", "_execute"),
]


def profile(client, path, runs=20, cold=None):
    """Statement list of one request, then cProfile over `runs` requests: time per phase and
    the functions that take the most time of their own."""
    import cProfile
    import pstats

    from django.test.utils import CaptureQueriesContext

    from bridgeway.outreach import summary

    if cold:
        summary.bump(cold)
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    print(f"  statements of one request: {len(ctx.captured_queries)}")
    for q in ctx.captured_queries:
        print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:150]}")
    prof = cProfile.Profile()
    for _i in range(runs):
        if cold:
            summary.bump(cold)
        prof.enable()
        client.get(path)
        prof.disable()
    stats = pstats.Stats(prof)
    raw = stats.stats  # type: ignore[attr-defined]
    print(f"  time per phase under cProfile (mean of {runs}; profiling inflates Python time)")
    for label, ending, name in PHASES:
        cum = max((v[3] for (fname, _line, fn), v in raw.items()
                   if fn == name and fname.endswith(ending)), default=0)
        if cum:
            print(f"    {label:34} {cum / runs * 1000:7.1f} ms")
    print("  own time, top 15 functions")
    top = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
    for (fname, line, fn), v in top:
        print(f"    {v[2] / runs * 1000:6.2f} ms  {v[0] // runs:6d} calls  "
              f"{'/'.join(fname.split('/')[-2:])}:{line} {fn}")


if __name__ == "__main__":
    main()
