"""The org-wide statistics dashboard (issue 16, part 2): `stats.dashboard.dashboard`, which adds
up each dataset's pre-computed counts (`DatasetTally`, built with the column store when a
dataset is written), against the old path, which read every record of the organisation
(`values()` of the nine charted fields) and counted them in Python — in the same run.
Goal: <= 1 s over 5M records (the old path took 31.8 s over 3.6M and 7.9 s over 600k).

Run (PostgreSQL; the generator writes with COPY):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_bench_dashboard \\
        .venv/bin/python bench/bench_dashboard.py --scales 600000,5000000
--per-dataset splits each scale into datasets of that many records (default 1,000,000, as
an organisation importing several files); --old-max sets the largest scale the old path is
timed at (it holds one dict per record in memory: about 1 GB per million); --keep keeps the
generated database for the next run.
"""

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
# The generator's COPY and the column builds are background work: no web statement timeout.
os.environ.setdefault("BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS", "0")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LABEL = "bench-dashboard"
FIELDS = ["year_of_registration", "gender", "age_band", "citizenship", "exploitation",
          "means_of_control", "recruitment_methods", "recruiter_relations", "services"]


def _write(org, dataset, rows: int, rng: np.random.Generator) -> None:
    """`rows` records of `dataset` with realistic spreads (a long tail of citizenships, a few
    codes per list field), written with COPY (PostgreSQL) or bulk inserts (elsewhere)."""
    from bench.bench_crosstab import _countries
    from bridgeway.stats import codes
    from bridgeway.stats.fields import CodeSetField
    from bridgeway.stats.models import StatRecord

    countries, weights = _countries()
    p = np.array(weights) / sum(weights)
    fields = [f for f in StatRecord._meta.concrete_fields if not f.primary_key]
    sets = {f.column: f for f in fields if isinstance(f, CodeSetField)}
    batch = 100_000
    done = 0
    while done < rows:
        n = min(batch, rows - done)
        years = rng.integers(2002, 2021, n).astype(str).astype(object)
        years[rng.random(n) < 0.02] = None
        values = {
            "year_of_registration": years,
            "gender": rng.choice(np.array(["Female", "Female", "Male", "",
                                           "TransgenderNonConforming"], dtype=object), n,
                                 p=[0.45, 0.2, 0.3, 0.045, 0.005]),
            "age_band": rng.choice(np.array([*codes.AGE_BANDS, ""], dtype=object), n),
            "citizenship": np.array(countries, dtype=object)[rng.choice(len(countries), n, p=p)],
            "country_of_exploitation": np.array(countries, dtype=object)[
                rng.choice(len(countries), n, p=p)],
            "majority_status": rng.choice(np.array(["Adult", "Adult", "Minor", ""],
                                                   dtype=object), n),
            "datasource": rng.choice(np.array(["CaseManagement", "Hotline"], dtype=object), n),
        }
        for column, field in sets.items():
            if column in ("unreported", "services"):
                values[column] = np.zeros(n, dtype=np.int64).astype(str).astype(object)
                continue
            width = len(field.codes)
            masks = np.zeros(n, dtype=np.int64)
            for _i in range(2):
                bit = rng.integers(0, width, n)
                masks |= np.where(rng.random(n) < 0.7, 1 << bit, 0)
            values[column] = masks.astype(str).astype(object)
        cols = []
        for f in fields:
            if f.column == "organisation_id":
                cols.append([str(org.pk)] * n)
            elif f.column == "dataset_id":
                cols.append([str(dataset.pk)] * n)
            elif f.column in values or f.name in values:
                v = values.get(f.column, values.get(f.name))
                cols.append(["\\N" if x is None else x for x in v])
            else:
                cols.append(["\\N" if f.null else ""] * n)
        if connection.vendor == "postgresql":
            text = "\n".join("\t".join(r) for r in zip(*cols, strict=True)) + "\n"
            names = ", ".join(f.column for f in fields)
            with connection.cursor() as cursor, cursor.cursor.copy(
                    f"COPY {StatRecord._meta.db_table} ({names}) FROM STDIN") as copy:
                copy.write(text)
        else:
            objs = []
            for r in zip(*cols, strict=True):
                kwargs = {}
                for f, x in zip(fields, r, strict=True):
                    if f.column in ("organisation_id", "dataset_id"):
                        continue
                    if x == "\\N":
                        x = None
                    elif f.column in sets:
                        x = [c for i, c in enumerate(f.codes) if int(x) >> i & 1]
                    kwargs[f.name] = x
                objs.append(StatRecord(organisation=org, dataset=dataset, **kwargs))
            StatRecord.objects.bulk_create(objs, batch_size=5000)
        done += n


def generate(total: int, per_dataset: int, seed: int = 16):
    """An organisation, its supervisor and `total` records in datasets of `per_dataset`."""
    from bridgeway.orgs.models import Membership
    from bridgeway.stats import columns
    from bridgeway.stats.models import Dataset
    from tests.factories import OrganisationFactory, UserFactory, with_totp

    org = OrganisationFactory(name=f"{LABEL} {total}", country="MD")
    supervisor = UserFactory()
    with_totp(supervisor)
    Membership.objects.create(user=supervisor, organisation=org, role="supervisor")
    rng = np.random.default_rng(seed)
    made, build = 0, 0.0
    while made < total:
        n = min(per_dataset, total - made)
        with transaction.atomic():
            dataset = Dataset.objects.create(organisation=org, kind="ctdc", rows=n,
                                             label=f"{LABEL} {made // per_dataset + 1}")
            _write(org, dataset, n, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE stats_statrecord")
        start = time.perf_counter()
        # What the import job's task does once the records are committed.
        columns.rebuild(dataset, reader=True)
        build += time.perf_counter() - start
        made += n
    return org, supervisor, build


def existing(total: int):
    from bridgeway.orgs.models import Membership, Organisation

    org = Organisation.objects.filter(name=f"{LABEL} {total}").first()
    if org is None:
        return None
    return org, Membership.objects.get(organisation=org, role="supervisor").user, None


def old_dashboard(org) -> dict:
    """The path this replaces (stats/dashboard.py before issue 16): every record of the
    organisation read as a dict, each chart counted with a Counter."""
    from bridgeway.stats.models import StatRecord

    rows = list(StatRecord.objects.filter(organisation_id__in=[org.pk]).values(*FIELDS))
    charts = {}
    for field in FIELDS:
        counter: Counter = Counter()
        for row in rows:
            value = row[field]
            for v in value if isinstance(value, list) else [value]:
                if v not in (None, ""):
                    counter[str(v)] += 1
        charts[field] = counter
    return {"total": len(rows), "charts": charts}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="600000,5000000")
    parser.add_argument("--per-dataset", type=int, default=1_000_000)
    parser.add_argument("--old-max", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keep,
                                             keepdb=args.keep)
    try:
        for scale in (int(s) for s in args.scales.split(",")):
            run(scale, args)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old, verbosity=0)


def run(scale: int, args) -> None:
    from bench.bench_crosstab import p50
    from bridgeway.stats import dashboard
    from tests.conftest import signed_in

    found = existing(scale) if args.keep else None
    if found:
        org, supervisor, build = found
        print(f"\n{scale:,} records ({connection.vendor}): reusing the generated organisation")
    else:
        start = time.perf_counter()
        org, supervisor, build = generate(scale, args.per_dataset)
        print(f"\n{scale:,} records ({connection.vendor}), datasets of {args.per_dataset:,}: "
              f"generated in {time.perf_counter() - start:.1f} s; column store + counts built "
              f"(once per import, by the worker) in {build:.1f} s")
    new, new_min, data = p50(lambda: dashboard.dashboard(org), args.repeat)
    assert int(data["total"]) == scale, data["total"]
    print(f"  dashboard (pre-computed counts): p50 {new:.3f} s (min {new_min:.3f} s)")
    client = signed_in(supervisor)
    url = f"/api/v1/organisations/{org.pk}/stats/dashboard/"

    def api():
        # The whole request: middleware, session, permissions, the view, the JSON.
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.content[:200])
        return response

    whole, whole_min, _r = p50(api, args.repeat)
    print(f"  GET …/stats/dashboard/ (whole request through the test client): p50 {whole:.3f} s "
          f"(min {whole_min:.3f} s) — goal <= 1 s: {'met' if whole <= 1 else 'NOT met'}")
    filtered, _m, _d = p50(lambda: dashboard.dashboard(org, year_from=2010, year_to=2015),
                           args.repeat)
    print(f"  dashboard with a year filter: p50 {filtered:.3f} s")
    # A network with this organisation as its member: the same counts, protected (small cells
    # suppressed, every count rounded by cell key, the audit of what is deducible).
    from bridgeway.orgs.models import NetworkMembership, Organisation

    network = Organisation.objects.filter(name=f"{LABEL} network {scale}").first()
    if network is None:
        from tests.factories import OrganisationFactory

        network = OrganisationFactory(name=f"{LABEL} network {scale}", org_type="CSONetwork",
                                      country="MD")
        NetworkMembership.objects.create(network=network, member=org)
    protected, protected_min, shown = p50(lambda: dashboard.dashboard(network), args.repeat)
    suppressed = sum(1 for c in shown["charts"] for _label, n in c["rows"] if isinstance(n, str))
    print(f"  network dashboard over the same records (protected, audited): p50 {protected:.3f} s "
          f"(min {protected_min:.3f} s); total shown {shown['total']}, {suppressed} cells <11")
    if scale <= args.old_max:
        before, _m, old_data = p50(lambda: old_dashboard(org), 1)
        assert old_data["total"] == scale
        sex = {label: n for label, n, _ks in (
            (c[0], int(c[1]), 0) for c in next(ch for ch in data["charts"]
                                               if ch["id"] == "sex")["rows"])}
        assert sex == dict(old_data["charts"]["gender"]), "the two paths disagree"
        print(f"  old path (every record read and counted): {before:.2f} s — "
              f"{before / whole:.0f}x slower")
    else:
        print(f"  old path not timed at this scale (--old-max {args.old_max:,}: it holds every "
              f"record in memory)")


if __name__ == "__main__":
    main()
