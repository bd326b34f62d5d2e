"""The funding network view at scale (issue 23).

Creates a throw-away test database, generates N member organisations of one network, each with
R funding records a year over Y years (one receipt per record and year, a quarter of them in MDL,
a quarter in RON, funders drawn from 40) and a resilience row per year, with SQL's
generate_series (seconds, not minutes). Then times, in the same run and on the same data:

- the network view as the coordinator's screen computes it (`funding.network.network_view`:
  every member's indicators for the year from the per-organisation-year summary rows the
  services keep (`funding.summary`, built here once after the bulk load), quartiles by country
  and organisation type, thresholds), and
- the same per-member aggregates in one hand-written SQL statement (income, state, foreign,
  core, largest funder, Herfindahl index, late share, runway, last year's income), with no
  quartiles or Python around it: the floor of what the view could cost.

The view is timed computed (cache off; with the time its SQL took) and cached (the database
cache, as production without Redis), and the whole page through the test client as a signed-in
coordinator (middleware, menu, template), computed and cached. `--profile` prints cProfile of
five page loads each way. Prints p50/p95 of each, its ratio to the SQL and the load average.
Goal (issue 23): network view p95 <= 200 ms on
PostgreSQL with 1,000 organisations x 10 years x 30 records.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_funding \
    /work/main/.venv/bin/python bench/bench_funding.py --orgs 1000 --years 10 --records 30
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

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def generate(orgs: int, years: int, records: int, last: int) -> int:
    from bridgeway.funding.models import CurrencyRate, Funder, NetworkThreshold
    from bridgeway.orgs.models import Organisation

    network = Organisation.objects.create(name="Bench network", org_type="CSONetwork", country="RO")
    first = last - years + 1
    with connection.cursor() as c:
        c.execute("""INSERT INTO orgs_organisation (name, org_type, country, city, languages, phone,
                       email, website, description, listed_in_directory, is_active, created_at,
                       updated_at, time_zone)
                     SELECT 'Bench member ' || g, CASE WHEN g %% 5 = 0 THEN 'LegalService' ELSE 'NGO' END,
                       (ARRAY['MD','RO','UA','PL'])[1 + g %% 4], '', '[]', '', '', '', '', true, true,
                       now(), now(), '' FROM generate_series(1, %s) g""", [orgs])
        c.execute("""INSERT INTO orgs_networkmembership (network_id, member_id, created_at)
                     SELECT %s, id, now() FROM orgs_organisation WHERE name LIKE 'Bench member %%'""",
                  [network.pk])
    types = ["national_government", "local_government", "eu", "foreign_government",
             "international", "foundation", "corporate", "individuals"]
    Funder.objects.bulk_create([Funder(name=f"Bench funder {i}", funder_type=types[i % len(types)],
                                       country=["MD", "RO", "NO", "US"][i % 4]) for i in range(40)])
    for year in range(first - 1, last + 1):
        CurrencyRate.objects.create(currency="MDL", year=year, rate=19.5)
        CurrencyRate.objects.create(currency="RON", year=year, rate=4.95)
    NetworkThreshold.objects.create(network=network, indicator="runway_months", value=3)
    with connection.cursor() as c:
        c.execute("SELECT min(id) FROM funding_funder")
        f0 = c.fetchone()[0]
        c.execute("""INSERT INTO funding_fundingrecord (organisation_id, funder_id, funder_type,
                       funder_country, title, purpose, restricted, currency, amount_awarded,
                       starts_on, ends_on, status, paid_late, late_days, delegated_state_work,
                       shared_with_network, identifier, created_at, updated_at)
                     SELECT m.member_id, f.id, f.funder_type, f.country, 'Grant ' || y || '-' || r, '',
                       r %% 3 <> 0, (ARRAY['EUR','EUR','MDL','RON'])[1 + r %% 4], 10000 + r * 100,
                       make_date(y, 1, 1), make_date(y, 12, 31), 'received', r %% 7 = 0, NULL,
                       false, false, '', now(), now()
                     FROM orgs_networkmembership m, generate_series(%s, %s) y,
                       generate_series(1, %s) r,
                       LATERAL (SELECT * FROM funding_funder WHERE id = %s + (m.member_id * 7 + r) %% 40) f
                     WHERE m.network_id = %s""", [first, last, records, f0, network.pk])
        c.execute("""INSERT INTO funding_fundingreceipt (record_id, organisation_id, year, amount,
                       currency, funder_key, funder_type, funder_country, restricted, paid_late,
                       counted)
                     SELECT id, organisation_id, extract(year FROM starts_on)::int,
                       amount_awarded * (0.6 + (id % 5) * 0.1), currency,
                       coalesce(funder_id::text, funder_type), funder_type, funder_country,
                       restricted, paid_late, status <> 'withdrawn' FROM funding_fundingrecord""")
        c.execute("""INSERT INTO funding_resilienceyear (organisation_id, year, currency,
                       expenditure, reserves, staff, contracts_end_6m, contracts_end_12m,
                       services_cut, updated_at)
                     SELECT m.member_id, y, 'EUR', 300000 + m.member_id %% 50 * 1000,
                       (m.member_id %% 13) * 20000, 10, 1, 2, '', now()
                     FROM orgs_networkmembership m, generate_series(%s, %s) y
                     WHERE m.network_id = %s""", [first, last, network.pk])
        c.execute("ANALYZE")
    return network.pk


BASELINE = """
WITH r AS (
  SELECT x.organisation_id AS org, x.funder_key AS funder, x.paid_late, x.restricted,
         x.funder_type, x.funder_country, o.country AS org_country,
         x.amount / CASE WHEN x.currency = 'EUR' THEN 1 ELSE cr.rate END AS eur
  FROM funding_fundingreceipt x
  JOIN orgs_organisation o ON o.id = x.organisation_id
  LEFT JOIN funding_currencyrate cr ON cr.currency = x.currency AND cr.year = x.year
  WHERE x.year = %(year)s AND x.counted
    AND x.organisation_id IN (SELECT member_id FROM orgs_networkmembership WHERE network_id = %(net)s)
), per_funder AS (
  SELECT org, funder, sum(eur) AS s FROM r GROUP BY org, funder
), totals AS (
  SELECT org, sum(eur) AS income,
    sum(eur) FILTER (WHERE funder_type IN ('national_government', 'local_government')) AS state,
    sum(eur) FILTER (WHERE funder_type IN ('eu', 'foreign_government', 'international')
                     OR (funder_country <> '' AND funder_country <> org_country)) AS foreign_,
    sum(eur) FILTER (WHERE NOT restricted) AS core,
    count(*) AS grants, count(*) FILTER (WHERE paid_late) AS late
  FROM r GROUP BY org
), conc AS (
  SELECT p.org, max(p.s) / t.income AS top, sum((p.s / t.income) ^ 2) AS hhi
  FROM per_funder p JOIN totals t USING (org) GROUP BY p.org, t.income
), prev AS (
  SELECT x.organisation_id AS org,
    sum(x.amount / CASE WHEN x.currency = 'EUR' THEN 1 ELSE cr.rate END) AS income
  FROM funding_fundingreceipt x
  LEFT JOIN funding_currencyrate cr ON cr.currency = x.currency AND cr.year = x.year
  WHERE x.year = %(year)s - 1 AND x.counted
    AND x.organisation_id IN (SELECT member_id FROM orgs_networkmembership WHERE network_id = %(net)s)
  GROUP BY x.organisation_id
)
SELECT t.org, t.state / t.income, t.foreign_ / t.income, t.core / t.income, c.top, c.hhi,
       t.late::numeric / nullif(t.grants, 0), ry.reserves / nullif(ry.expenditure / 12, 0),
       (t.income - p.income) / nullif(p.income, 0)
FROM totals t JOIN conc c USING (org) LEFT JOIN prev p USING (org)
LEFT JOIN funding_resilienceyear ry ON ry.organisation_id = t.org AND ry.year = %(year)s
"""


def _timer(spent: list[float]):
    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - t)
    return wrapper


def _coordinator_client(net):
    """A signed-in coordinator of the network, as tests.conftest.signed_in makes one."""
    from django.contrib.auth import get_user_model

    from bridgeway.orgs.models import Membership
    from tests.conftest import signed_in
    from tests.factories import MembershipFactory, UserFactory

    email = "bench.coordinator@example.org"  # kept databases (--keep) have one already
    user = get_user_model().objects.filter(email=email).first() or UserFactory(email=email)
    if not Membership.objects.filter(organisation=net, user=user).exists():
        MembershipFactory(organisation=net, user=user, role="network_coordinator")
    return signed_in(user)


def _writer(net, last: int):
    """A write through the services as a member's finance person makes it: one grant of the
    first member edited (its money for the year alternates between two amounts), so every run
    is the first read after a funding write."""
    from django.contrib.auth import get_user_model

    from bridgeway.funding import services
    from bridgeway.funding.models import FundingRecord
    from bridgeway.orgs.models import Membership, NetworkMembership
    from tests.factories import MembershipFactory, UserFactory

    member = NetworkMembership.objects.filter(network=net).order_by("member_id").first().member
    email = "bench.finance@example.org"
    user = get_user_model().objects.filter(email=email).first() or UserFactory(email=email)
    if not Membership.objects.filter(organisation=member, user=user).exists():
        MembershipFactory(organisation=member, user=user, role="org_admin")
    record = FundingRecord.objects.filter(organisation=member, starts_on__year=last).first()
    fields = ("title", "funder_type", "currency", "funder_id", "funder_country", "purpose",
              "restricted", "amount_awarded", "starts_on", "ends_on", "status", "paid_late",
              "late_days", "delegated_state_work", "shared_with_network", "identifier")
    amounts = [record.receipts.get(year=last).amount, record.amount_awarded]
    turn = [0]

    def write() -> None:
        turn[0] += 1
        services.record_edit(actor=user, record=record, data=services.RecordData(
            **{f: getattr(record, f) for f in fields},
            received={last: amounts[turn[0] % 2]}))
    return write


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--records", type=int, default=30)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile five computed page loads")
    parser.add_argument("--keep", action="store_true",
                        help="keep the test database (and reuse its data on the next run)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run on PostgreSQL: set DATABASE_URL.")
    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keep,
                                             keepdb=args.keep)
    try:
        from bridgeway.funding.network import network_view
        from bridgeway.orgs.models import Organisation

        last = 2025
        t0 = time.perf_counter()
        existing = Organisation.objects.filter(name="Bench network").first()
        net_pk = existing.pk if existing and args.keep else generate(args.orgs, args.years,
                                                                     args.records, last)
        print(f"generated {args.orgs} orgs x {args.years} years x {args.records} records "
              f"in {time.perf_counter() - t0:.1f} s")
        if not (existing and args.keep):
            from bridgeway.funding import summary

            # the rows the services keep on every write (the data above bypassed them)
            t0 = time.perf_counter()
            n = summary.rebuild()
            with connection.cursor() as c:
                c.execute("ANALYZE funding_fundingyearsummary")
            print(f"summary rows (organisation-years) built: {n:,} in "
                  f"{time.perf_counter() - t0:.1f} s")
        net = Organisation.objects.get(pk=net_pk)
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import override_settings

        # the production cache without Redis: the database's (settings.CACHES)
        caches_db = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                 "LOCATION": "bridgeway_cache"}}
        with override_settings(CACHES=caches_db):
            call_command("createcachetable", verbosity=0)
        client, page_url = _coordinator_client(net), f"/funding/networks/{net_pk}/?year={last}"
        computed, cached, sql_times, page_computed, page_cached = [], [], [], [], []
        after_write, page_after_write, write_times = [], [], []
        write = _writer(net, last)
        sql_in_view: list[float] = []
        with override_settings(CACHES=caches_db):
            cache.clear()
            for _ in range(args.runs):
                with override_settings(BRIDGEWAY_FUNDING_VIEW_CACHE_SECONDS=0):
                    spent: list[float] = []
                    with connection.execute_wrapper(_timer(spent)):
                        t = time.perf_counter()
                        view = network_view(net, last)
                        computed.append((time.perf_counter() - t) * 1000)
                    sql_in_view.append(sum(spent) * 1000)
                    t = time.perf_counter()
                    assert client.get(page_url).status_code == 200
                    page_computed.append((time.perf_counter() - t) * 1000)
                network_view(net, last)  # fills the cache (a write would empty it)
                t = time.perf_counter()
                cached_view = network_view(net, last)
                cached.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                assert client.get(page_url).status_code == 200
                page_cached.append((time.perf_counter() - t) * 1000)
                # the first reader after a funding write (cache on: only the written member's
                # values are recomputed), the view alone and then the whole page
                t = time.perf_counter()
                write()
                write_times.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                after_view = network_view(net, last)
                after_write.append((time.perf_counter() - t) * 1000)
                write()
                t = time.perf_counter()
                assert client.get(page_url).status_code == 200
                page_after_write.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                with connection.cursor() as c:
                    c.execute(BASELINE, {"year": last, "net": net_pk})
                    rows = c.fetchall()
                sql_times.append((time.perf_counter() - t) * 1000)
        assert len(rows) == view.members == cached_view.members == args.orgs
        assert [i.overall for i in view.indicators] == [i.overall for i in cached_view.indicators]
        with override_settings(BRIDGEWAY_FUNDING_VIEW_CACHE_SECONDS=0):
            fresh = network_view(net, last)  # the same data computed from nothing
        with override_settings(CACHES=caches_db):
            after_view = network_view(net, last)
        assert [(i.overall, i.by_country, i.by_type) for i in after_view.indicators] == \
            [(i.overall, i.by_country, i.by_type) for i in fresh.indicators]
        assert after_view.below == fresh.below and after_view.rates == fresh.rates
        print("after the writes: the view from the kept values = the view computed from nothing")
        s50, s95 = percentiles(sql_times)
        print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} "
              f"{os.getloadavg()[2]:.1f}; {args.runs} runs each")
        for name, samples in (("network view, computed", computed),
                              ("  of which SQL", sql_in_view),
                              ("network view, cached", cached),
                              ("view after a write", after_write),
                              ("  (the write itself)", write_times),
                              ("whole page after write", page_after_write),
                              ("whole page, computed", page_computed),
                              ("whole page, cached", page_cached)):
            p50, p95 = percentiles(samples)
            print(f"{name:24s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
                  f"(ratio to SQL p50 {p50 / s50:.2f}x, p95 {p95 / s95:.2f}x)")
        print(f"{'hand-written SQL':24s} p50 {s50:7.1f} ms  p95 {s95:7.1f} ms  "
              f"(goal: network view p95 <= 200 ms)")
        print(f"members below runway 3 months: {len(view.below)}")
        if args.profile:
            import cProfile
            import pstats

            for seconds in (0, 600):  # computed, then cached
                with override_settings(BRIDGEWAY_FUNDING_VIEW_CACHE_SECONDS=seconds,
                                       CACHES=caches_db):
                    client.get(page_url)
                    prof = cProfile.Profile()
                    prof.enable()
                    for _ in range(5):
                        client.get(page_url)
                    prof.disable()
                print(f"--- five page loads, cache seconds {seconds}")
                pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
