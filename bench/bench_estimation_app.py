"""The estimation app's background work end to end, through its services (issue 24): three member
organisations of a network with overlapping persons (registered as real cases: encrypted, blind
indexed, audited), then

- encoding each organisation's persons on the platform (decrypt every person in memory, CLKs),
- a linkage run over the three lists (and how far its capture histories are from the truth),
- an estimate with stepwise selection and the BCa bootstrap,

each timed, with persons per second for the encoding and the time of estim-core's pure
functions on the same data (clk.encode_many, linkage.link_many, mse.estimate) beside it, so the
platform's own overhead shows.

    .venv/bin/python bench/bench_estimation_app.py --persons 600 --bootstrap 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench .venv/bin/python \
        bench/bench_estimation_app.py
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

# Each person of the population is on each list independently with these probabilities; those
# on no list are never registered (the number the estimate looks for).
CAPTURE = (0.35, 0.3, 0.25)
SYLLABLES = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo",
             "an", "el", "ir", "on", "ul", "ca", "de", "mi", "no", "ra"]


def name(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def world(persons: int, seed: int = 24):
    from bridgeway.accounts.models import User
    from bridgeway.cases import services as cases
    from bridgeway.orgs.models import Membership, NetworkMembership, Organisation

    rng = random.Random(seed)
    network = Organisation.objects.create(name="Bench network", org_type="CSONetwork",
                                          country="RO")
    coordinator = User.objects.create_user(email="coord@bench.test", password="x" * 20)
    Membership.objects.create(user=coordinator, organisation=network,
                              role="network_coordinator")
    lists = []
    for letter in "ABC":
        org = Organisation.objects.create(name=f"Bench {letter}", org_type="NGO", country="MD")
        NetworkMembership.objects.create(network=network, member=org)
        sup = User.objects.create_user(email=f"sup{letter}@bench.test", password="x" * 20)
        Membership.objects.create(user=sup, organisation=org, role="supervisor")
        lists.append((org, sup))
    truth: dict[str, int] = {}
    start = time.perf_counter()
    for _i in range(persons):
        pattern = "".join("1" if rng.random() < p else "0" for p in CAPTURE)
        truth[pattern] = truth.get(pattern, 0) + 1
        if pattern == "000":
            continue
        first, second = name(rng, 3), name(rng, 4)
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 20000))
        for position, (org, sup) in enumerate(lists):
            if pattern[position] == "1":
                cases.case_open(org=org, actor=sup, person=cases.PersonData(
                    first_name=first, second_name=second, birth_date=born, gender="Feminine"))
    made = time.perf_counter() - start
    return network, coordinator, lists, truth, made


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1500,
                        help="the population; about 2/3 of it is on at least one list")
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args()

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def run(args):
    import numpy as np

    from bridgeway.estimation import clk, linkage, mse, services
    from bridgeway.estimation.models import EncodingSet, Estimate
    from bridgeway.estimation.services import _platform_records

    secret = b"bench-linkage-secret-0123456789abcdef"
    network, coordinator, lists, truth, made = world(args.persons)
    cases_n = sum(n * p.count("1") for p, n in truth.items())
    print(f"database: {connection.vendor}; population {args.persons}, "
          f"{args.persons - truth.get('000', 0)} on a list, {cases_n} cases in 3 lists "
          f"(registered in {made:.1f} s)")

    for org, sup in lists:
        services.participation_set(network=network, org=org, actor=sup, enabled=True,
                                   secret=secret)
        start = time.perf_counter()
        job = services.encoding_job_create(network=network, org=org, actor=sup)
        took = time.perf_counter() - start
        count = EncodingSet.objects.get(pk=job.encodings_id).count
        ids, records = _platform_records(org)
        start = time.perf_counter()
        clk.encode_many(records, clk.default_schema(), secret)
        pure = time.perf_counter() - start
        print(f"encode {org.name}: {count} persons in {took:.2f} s ({count / took:,.0f}/s) on the "
              f"platform; clk.encode_many alone {pure:.3f} s ({took / max(pure, 1e-9):.1f}x)")

    start = time.perf_counter()
    run_ = services.run_start(network=network, actor=coordinator)
    took = time.perf_counter() - start
    found = {r["pattern"]: r["count"] for r in run_.histories}
    off = sum(abs(found.get(p, 0) - n) for p, n in truth.items() if p != "000") // 2
    arrays = [np.frombuffer(bytes(e.clks), dtype=np.uint8).reshape(-1, 128)
              for e in sorted(run_.encoding_sets.all(), key=lambda e: e.organisation.name)]
    start = time.perf_counter()
    linkage.link_many(arrays, run_.threshold)
    pure = time.perf_counter() - start
    print(f"linkage run: {took:.2f} s through the service; linkage.link_many alone {pure:.3f} s; "
          f"status {run_.status}; persons placed in another pattern than the truth: {off}")
    print(f"  truth  {dict(sorted(truth.items(), reverse=True))}")
    print(f"  found  {found}")

    table = mse.CaptureTable.from_counts(
        ["A", "B", "C"], {tuple(int(c) for c in p): n for p, n in found.items()})
    mse.estimate(table, bootstrap=0)  # warm-up: statsmodels' import is paid here
    start = time.perf_counter()
    mse.estimate(table, method="stepwise", pthresh=0.02, bootstrap=args.bootstrap, seed=2026)
    pure = time.perf_counter() - start
    start = time.perf_counter()
    estimate = services.estimate_create(org=network, actor=coordinator, title="bench", run=run_,
                                        bootstrap=args.bootstrap)
    took = time.perf_counter() - start
    estimate = Estimate.objects.get(pk=estimate.pk)
    result = estimate.result
    print(f"estimate ({args.bootstrap} bootstrap replicates): {took:.2f} s through the service "
          f"(progress via the heartbeat); mse.estimate alone {pure:.2f} s; total "
          f"{result.get('total', 0):.0f} [{result['ci95'][0]:.0f}, {result['ci95'][1]:.0f}] "
          f"against a true population of {args.persons}" if result.get("exists")
          else f"estimate: {result.get('reason')}")


if __name__ == "__main__":
    main()
