"""Surveys (issue 22): aggregation of 10,000 submissions of a 100-question form with a repeat,
split by one question, on the database (the results screen's own code: surveys.aggregate), against
the same counts done by DuckDB over an export of the same data (the XLSX export's two sheets,
written as CSV; free text only counted, as on the results screen), in one run; the write cost
per submission of sealing its texts and writing its units; the upload and conversion of the
HTCDS XLSForm; the server-side check of one submission.
Goals: aggregation <= 1 s and <= 3x DuckDB; HTCDS upload <= 1 s; one check <= 20 ms.

The aggregation is timed twice in one run on PostgreSQL: first right after the bulk load, before
any statistics exist (autovacuum is kept off the survey tables, so this state lasts), then after
`surveys.tally.analyze_tables()` (what `survey_units_rebuild` and large imports now run). Both
times are compared with the same DuckDB figure, so the two ratios come from one run.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_surveys \
         .venv/bin/python bench/bench_surveys.py --submissions 10000 [--keep] [--explain]
"""

import argparse
import csv
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

HTCDS = Path(__file__).resolve().parents[1] / "tests" / "surveys" / "htcds_xlsform.xlsx"
SPLIT = "s0"


def form_rows():
    """100 questions: 30 select_one, 10 select_multiple, 25 integer, 5 decimal, 10 date,
    10 text, and a repeat of 10 (select_one, integer, text)."""
    survey, choices = [], []
    for c in range(6):
        choices.append({"list_name": "opt", "name": f"o{c}", "label": f"Option {c}"})
    for i in range(30):
        survey.append({"type": "select_one opt", "name": f"s{i}", "label": f"Select {i}"})
    for i in range(10):
        survey.append({"type": "select_multiple opt", "name": f"m{i}", "label": f"Multi {i}"})
    for i in range(25):
        survey.append({"type": "integer", "name": f"n{i}", "label": f"Number {i}",
                       "constraint": ". >= 0 and . <= 1000",
                       "relevant": "${s0} != 'o5'" if i == 0 else ""})
    for i in range(5):
        survey.append({"type": "decimal", "name": f"d{i}", "label": f"Decimal {i}"})
    for i in range(10):
        survey.append({"type": "date", "name": f"t{i}", "label": f"Date {i}"})
    for i in range(10):
        survey.append({"type": "text", "name": f"x{i}", "label": f"Text {i}"})
    survey.append({"type": "begin_repeat", "name": "rep", "label": "Entry"})
    for i in range(4):
        survey.append({"type": "select_one opt", "name": f"rs{i}", "label": f"R select {i}"})
    for i in range(4):
        survey.append({"type": "integer", "name": f"rn{i}", "label": f"R number {i}"})
    for i in range(2):
        survey.append({"type": "text", "name": f"rx{i}", "label": f"R text {i}"})
    survey.append({"type": "end_repeat"})
    return survey, choices


def answers(rng):
    opts = [f"o{c}" for c in range(6)]
    a = {f"s{i}": rng.choice(opts) for i in range(30)}
    a.update({f"m{i}": rng.sample(opts, rng.randint(0, 3)) for i in range(10)})
    a.update({f"n{i}": rng.randint(0, 1000) for i in range(25)})
    a.update({f"d{i}": round(rng.uniform(0, 100), 2) for i in range(5)})
    a.update({f"t{i}": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
              for i in range(10)})
    a.update({f"x{i}": f"answer {rng.randint(0, 50)}" for i in range(10)})
    a["rep"] = [{**{f"rs{i}": rng.choice(opts) for i in range(4)},
                 **{f"rn{i}": rng.randint(0, 100) for i in range(4)},
                 **{f"rx{i}": "note" for i in range(2)}} for _ in range(rng.randint(1, 3))]
    if a["s0"] == "o5":
        del a["n0"]
    return a


def load():
    return "(load {:.1f} {:.1f} {:.1f})".format(*os.getloadavg())


def timed(fn, repeat=3):
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def duckdb_counts(main_csv, repeat_csv):
    """The same figures as surveys.aggregate over the export: per question and split value,
    counts of choices (each chosen choice of a select_multiple), n/mean/median/min/max/sd of
    numbers, months of dates; repeat questions split by the submission's answer."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE main AS SELECT * FROM read_csv_auto('{main_csv}', all_varchar=true)")
    con.execute(f"CREATE TABLE rep AS SELECT * FROM read_csv_auto('{repeat_csv}', "
                "all_varchar=true)")

    def run():
        out = {}
        for i in range(30):
            out[f"s{i}"] = con.execute(
                f"SELECT {SPLIT}, s{i}, count(*) FROM main WHERE s{i} <> '' "
                f"GROUP BY ALL").fetchall()
        for i in range(10):
            out[f"m{i}"] = con.execute(
                f"SELECT {SPLIT}, v, count(*) FROM (SELECT {SPLIT}, unnest(string_split(m{i}, "
                f"' ')) AS v FROM main WHERE m{i} <> '') GROUP BY ALL").fetchall()
        for col in [f"n{i}" for i in range(25)] + [f"d{i}" for i in range(5)]:
            out[col] = con.execute(
                f"SELECT {SPLIT}, count(*), avg(x), median(x), min(x), max(x), stddev_samp(x) "
                f"FROM (SELECT {SPLIT}, TRY_CAST({col} AS DOUBLE) AS x FROM main) "
                f"WHERE x IS NOT NULL GROUP BY ALL").fetchall()
        for i in range(10):
            out[f"t{i}"] = con.execute(
                f"SELECT {SPLIT}, substr(t{i}, 1, 7), count(*) FROM main WHERE t{i} <> '' "
                f"GROUP BY ALL").fetchall()
        for i in range(10):  # free text: only counted on the results screen (read on demand)
            out[f"x{i}"] = con.execute(
                f"SELECT {SPLIT}, count(*) FROM main WHERE x{i} <> '' "
                f"GROUP BY ALL").fetchall()
        for i in range(4):
            out[f"rs{i}"] = con.execute(
                f"SELECT m.{SPLIT}, r.rs{i}, count(*) FROM rep r JOIN main m ON "
                f"m.submission_id = r.submission_id WHERE r.rs{i} <> '' GROUP BY ALL").fetchall()
            out[f"rn{i}"] = con.execute(
                f"SELECT m.{SPLIT}, count(*), avg(TRY_CAST(r.rn{i} AS DOUBLE)), "
                f"median(TRY_CAST(r.rn{i} AS DOUBLE)) FROM rep r JOIN main m ON "
                f"m.submission_id = r.submission_id WHERE r.rn{i} <> '' GROUP BY ALL").fetchall()
        return out

    return run


def same_figures(survey, duck):
    """The database's figures (surveys.aggregate.collect, as the results screen gets them)
    against DuckDB's, cell by cell: counts equal; n, min, max and median equal; mean and
    standard deviation within 1e-9 relative (their sums are added up in another order)."""
    from bridgeway.surveys import aggregate

    _questions, collected = aggregate.collect(survey, split=SPLIT)
    data, resp = collected["data"], collected["respondents"]
    cells = 0
    wrong = []

    def check(name, got, want, exact=True):
        nonlocal cells
        cells += 1
        ok = got == want if exact else (got is not None and math.isclose(
            got, want, rel_tol=1e-9, abs_tol=1e-12))
        if not ok and len(wrong) < 10:
            wrong.append(f"{name}: {got!r} != {want!r}")
        elif not ok:
            wrong.append("")

    for name, rows in duck.items():
        kind = name.rstrip("0123456789")
        seen = {}
        for row in rows:
            g = row[0] or "?"
            if kind in ("s", "m", "t", "rs"):
                seen.setdefault(g, {})[row[1]] = row[2]
            elif kind == "x":
                check(f"{name}/{g} n", resp[name].get(g), row[1])
            else:
                stats = data[name].get(g, {})
                check(f"{name}/{g} n", resp[name].get(g), row[1])
                check(f"{name}/{g} median", stats.get("median"), row[3])
                check(f"{name}/{g} mean", stats.get("mean"), row[2], exact=False)
                if kind in ("n", "d"):
                    check(f"{name}/{g} min", stats.get("min"), row[4])
                    check(f"{name}/{g} max", stats.get("max"), row[5])
                    check(f"{name}/{g} sd", stats.get("sd"), row[6], exact=False)
        for g, counts in seen.items():
            check(f"{name}/{g}", dict(data[name].get(g, {})), counts)
        if kind in ("s", "m", "t", "rs"):
            check(f"{name} groups", set(data[name]) - set(seen), set())
    print(f"database and DuckDB figures: {cells} cells compared, "
          f"{'all the same' if not wrong else f'{len(wrong)} differ'}")
    for line in filter(None, wrong):
        print(f"   {line}")
    if wrong:
        sys.exit(1)


def bulk_seal_and_count(subs, spec, survey):
    from bridgeway.protection.sealing import new_record_key
    from bridgeway.protection.services import kek_id_for
    from bridgeway.surveys import tally, texts
    from bridgeway.surveys.models import Submission, SubmissionText, SubmissionUnit

    kek = kek_id_for(survey.network)
    for start in range(0, len(subs), 500):
        batch = subs[start:start + 500]
        rows, units = [], []
        for sub in batch:
            clear, found = texts.split_texts(spec["children"], sub.answers)
            sub.answers = clear
            sub.counted = True
            new_record_key(sub, kek)
            rows += [SubmissionText(submission=sub, survey=survey, question=q, place=p,
                                    value=texts.seal_answer(sub, p, v))
                     for p, (q, v) in found.items()]
            units.append((sub, tally.units_of_submission(spec, clear, found)))
        wanted = {pair for _s, us in units for _r, _e, coded, _n in us for pair in coded}
        wanted |= {(q, "") for _s, us in units for _r, _e, _c, nums in us for q, _v in nums}
        codes = tally._codes(survey.pk, wanted)
        with transaction.atomic():
            Submission.objects.bulk_update(batch, ["answers", "kek_id", "wrapped_key",
                                                   "counted"])
            SubmissionText.objects.bulk_create(rows)
            SubmissionUnit.objects.bulk_create(
                SubmissionUnit(submission=sub, survey=survey, repeat=r, entry=e,
                               codes=[codes[p] for p in coded],
                               number_codes=[codes[(q, "")] for q, _v in nums],
                               numbers=[v for _q, v in nums])
                for sub, us in units for r, e, coded, nums in us)


SURVEY_TABLES = ("surveys_submission", "surveys_submissiontext", "surveys_submissionunit",
                 "surveys_surveycode")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=10000)
    parser.add_argument("--profile", action="store_true",
                        help="print where the aggregation's time goes (cProfile)")
    parser.add_argument("--explain", action="store_true",
                        help="EXPLAIN (ANALYZE, BUFFERS) of every statement of the aggregation "
                             "that takes over 50 ms, without and with statistics")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database (test_<name>) and reuse its submissions next "
                             "time (their statistics are then deleted before the first timing)")
    parser.add_argument("--sample", type=int, default=300,
                        help="submissions sealed and counted one by one, timed")
    parser.add_argument("--repeat", type=int, default=3, help="timings per figure (median)")
    args = parser.parse_args()
    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=not args.keep,
                                             keepdb=args.keep)
    try:
        run(args)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old, verbosity=0)


def forget_statistics(vacuum=False):
    """The survey tables as after a bulk load: no column statistics, no row count from a vacuum,
    and autovacuum kept away (it would analyse them within a minute, in the middle of the run)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in SURVEY_TABLES:
            if vacuum:  # a kept database: the dead rows of earlier runs
                cursor.execute(f"VACUUM {table}")
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off, "
                           "toast.autovacuum_enabled = off)")
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
            cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE oid = %s::regclass",
                           [table])


def restore_autovacuum():
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in SURVEY_TABLES:
            cursor.execute(f"ALTER TABLE {table} RESET (autovacuum_enabled, "
                           "toast.autovacuum_enabled)")


def aggregation(survey, label, args):
    """The results screen's counting, timed (median of --repeat), with its statement count;
    a statement stopped by the statement timeout is reported as such."""
    from django.db import OperationalError
    from django.test.utils import CaptureQueriesContext

    from bridgeway.surveys import aggregate

    try:
        with CaptureQueriesContext(connection) as ctx:
            t_db, report = timed(lambda: aggregate.survey_results(survey, split=SPLIT),
                                 repeat=args.repeat)
    except OperationalError as exc:
        print(f"{label}: stopped, {str(exc).strip()} {load()}")
        return None, []
    statements = len(ctx.captured_queries) // args.repeat
    print(f"{label}: {t_db:.3f} s ({len(report['questions'])} questions, {statements} "
          f"statements; CPU of this process {cpu_share(survey, args):.0f} ms) {load()}")
    return t_db, ctx.captured_queries[:statements]


def cpu_share(survey, args):
    from bridgeway.surveys import aggregate

    t = time.process_time()
    aggregate.survey_results(survey, split=SPLIT)
    return (time.process_time() - t) * 1000


def explain(statements, label):
    """EXPLAIN (ANALYZE, BUFFERS) of the statements that took over 50 ms: time, and the plan's
    top join and scan lines."""
    from bridgeway.surveys import aggregate_pg

    print(f"-- EXPLAIN (ANALYZE, BUFFERS), {label}")
    for q in statements:
        if float(q["time"]) < 0.05 or not q["sql"].lstrip().upper().startswith(("SELECT",
                                                                                 "WITH")):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in aggregate_pg.UNIT_SETTINGS:  # as the counting runs them
                cursor.execute(setting)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        print(f"   {q['sql'][:110]}…")
        for line in plan:
            if any(k in line for k in ("Join", "Nested Loop", "Scan on", "Aggregate",
                                       "Execution Time", "Buffers: shared", "Sort Method")):
                print(f"      {line.strip()[:150]}")


def run(args):
    from bridgeway.surveys import exports, tally
    from bridgeway.surveys.engine import Engine
    from bridgeway.surveys.models import Submission, Survey
    from bridgeway.surveys.xlsbuild import build_xlsform
    from bridgeway.surveys.xlsform import convert_xlsform

    rng = random.Random(22)
    print(f"database: {connection.vendor} {load()}")

    htcds = HTCDS.read_bytes()
    t_htcds, converted = timed(lambda: convert_xlsform(htcds), repeat=5)
    print(f"HTCDS XLSForm upload + conversion: {t_htcds * 1000:.0f} ms "
          f"({converted.question_count} questions; goal <= 1000 ms)")

    survey_rows, choices = form_rows()
    data = build_xlsform(survey_rows, choices, {"form_id": "bench", "version": "1"})
    t_upload, _ = timed(lambda: convert_xlsform(data), repeat=3)
    print(f"100-question form upload + conversion: {t_upload * 1000:.0f} ms")
    sample = answers(rng)

    survey = (Survey.objects.filter(title="Bench").first() if args.keep else None)
    if survey is not None and (Submission.objects.filter(survey=survey, counted=True).count()
                               != args.submissions):
        print("the kept survey has another number of submissions: made again")
        Survey.objects.filter(pk=survey.pk).delete()
        survey = None
    reused = survey is not None
    if reused:
        print(f"reusing the kept {args.submissions:,} submissions of survey {survey.pk}")
    else:
        survey = make_survey(data)
        forget_statistics()  # before the load: autovacuum must not analyse in the middle
    version = survey.current_version

    engine = Engine(version.spec)
    engine.check(sample, final=True)
    t_check, check = timed(lambda: engine.check(sample, final=True), repeat=50)
    assert check.ok, check.errors
    print(f"server-side check of one submission: {t_check * 1000:.1f} ms (goal <= 20 ms)")

    if not Submission.objects.filter(survey=survey).exists():
        load_submissions(args, rng, survey, version)

    forget_statistics(vacuum=reused)
    if args.profile:
        import cProfile
        import pstats

        from bridgeway.surveys import aggregate

        prof = cProfile.Profile()
        prof.runcall(aggregate.survey_results, survey, split=SPLIT)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    t_cold, plans_cold = aggregation(
        survey, f"aggregation on {connection.vendor}, every question split by {SPLIT}, "
        "WITHOUT statistics (right after the bulk load)", args)
    t_json_cold = None
    if connection.vendor == "postgresql":
        first = Submission.objects.filter(survey=survey).order_by("pk").values("pk")[:1]
        Submission.objects.filter(pk__in=first).update(counted=False)
        t_json_cold, _ = aggregation(survey, "the same from the JSON answers (before the units), "
                                     "WITHOUT statistics", argparse.Namespace(repeat=1))
        Submission.objects.filter(pk__in=first).update(counted=True)
        t = time.perf_counter()
        tally.analyze_tables()
        print(f"ANALYZE of the survey tables: {time.perf_counter() - t:.2f} s {load()}")
    t_db, plans = aggregation(survey, f"aggregation on {connection.vendor}, WITH statistics",
                              args)
    t_one = None
    if connection.vendor == "postgresql":
        from bridgeway.surveys import aggregate_pg

        # The same with the codes and the numbers counted one after the other on one
        # connection (what the counting did before it used a second one): the baseline.
        aggregate_pg.PARALLEL = False
        t_one, plans = aggregation(survey, "the same on ONE connection (codes, then numbers), "
                                   "WITH statistics", args)
        plans_cold = plans  # the same statements; a second connection's are not captured
        aggregate_pg.PARALLEL = True
    if connection.vendor == "postgresql":
        Submission.objects.filter(pk__in=first).update(counted=False)
        aggregation(survey, "the same from the JSON answers (before the units), WITH "
                    "statistics", argparse.Namespace(repeat=1))
        Submission.objects.filter(pk__in=first).update(counted=True)
        restore_autovacuum()
        if args.explain:
            forget_statistics()
            explain(plans_cold, "without statistics")
            tally.analyze_tables()
            explain(plans, "with statistics")

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        paths = []
        for title, rows in exports.sheets(survey):
            path = Path(tmp) / f"{title}.csv"
            with open(path, "w", newline="") as fh:
                csv.writer(fh).writerows(rows)
            paths.append(path)
        print(f"export of the same data (two sheets as CSV): {time.perf_counter() - t:.1f} s")
        runner = duckdb_counts(paths[0], paths[1])
        runner()
        t_duck, duck = timed(runner, repeat=args.repeat)
    print(f"DuckDB over the export, same counts: {t_duck:.3f} s {load()}")
    same_figures(survey, duck)
    for label, t_mine in (("without statistics", t_cold), ("with statistics", t_db),
                          ("with statistics, one connection", t_one)):
        if t_mine is None and label.endswith("connection"):
            continue
        if t_mine is None:
            print(f"ratio database / DuckDB, {label}: stopped by the statement timeout")
        else:
            print(f"ratio database / DuckDB, {label}: {t_mine / t_duck:.1f}x "
                  f"({t_mine:.3f} s; goals <= 3x and <= 1 s)")


def make_survey(data):
    from bridgeway.orgs.models import Membership, NetworkMembership, Organisation
    from bridgeway.surveys import services
    from tests.factories import UserFactory

    network = Organisation.objects.create(name="Bench network", org_type="CSONetwork",
                                          country="RO")
    countries = ["MD", "RO", "UA", "PL", "BG", "HU", "SK", "CZ"]
    for i in range(40):
        member = Organisation.objects.create(name=f"Member {i}", org_type="NGO",
                                             country=countries[i % len(countries)])
        NetworkMembership.objects.create(network=network, member=member)
    coordinator = UserFactory()
    Membership.objects.create(user=coordinator, organisation=network, role="network_coordinator")
    return services.survey_create(network=network, actor=coordinator, title="Bench",
                                  xlsform=data, threshold=5)


def load_submissions(args, rng, survey, version):
    from bridgeway.orgs.models import NetworkMembership
    from bridgeway.surveys import tally, texts
    from bridgeway.surveys.models import Submission

    members = [m.member for m in NetworkMembership.objects.filter(network=survey.network)
               .select_related("member").order_by("member_id")]

    t = time.perf_counter()
    batch = []
    for i in range(args.submissions):
        batch.append(Submission(survey=survey, version=version, organisation=members[i % 40],
                                owner_key=f"bench:{i}", status="submitted",
                                answers=answers(rng)))
        if len(batch) == 1000:
            Submission.objects.bulk_create(batch)
            batch = []
    Submission.objects.bulk_create(batch)
    print(f"generated {args.submissions:,} submissions in {time.perf_counter() - t:.1f} s "
          f"{load()}")

    # What submission_save adds to each submission's transaction, timed one by one on the first
    # SAMPLE generated submissions: the texts sealed into their rows, and the units written.
    # The rest get the same rows written in bulk (the same functions, fewer round trips).
    spec = version.spec
    t_seal = t_units = 0.0
    subs = list(Submission.objects.filter(survey=survey).order_by("pk"))
    sample = min(args.sample, len(subs))
    for sub in subs[:sample]:
        t = time.perf_counter()
        with transaction.atomic():
            clear, found = texts.split_texts(spec["children"], sub.answers)
            sub.answers = clear
            sub.save(update_fields=["answers"])
            texts.store_texts(sub, found)
        t_seal += time.perf_counter() - t
        t = time.perf_counter()
        with transaction.atomic():
            tally.write_units(sub, spec, clear, found)
        t_units += time.perf_counter() - t
    if sample:
        print(f"write cost per submission (mean of {sample}): texts sealed "
              f"{t_seal / sample * 1000:.1f} ms, units {t_units / sample * 1000:.1f} ms (on top "
              f"of the submission's own save) {load()}")
    t = time.perf_counter()
    bulk_seal_and_count(subs[sample:], spec, survey)
    print(f"the other {len(subs) - sample:,} sealed and counted in bulk in "
          f"{time.perf_counter() - t:.1f} s {load()}")


if __name__ == "__main__":
    main()
