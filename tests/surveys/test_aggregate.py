"""Aggregation: choices counted per respondent (each choice of a select_multiple), numbers
summarised, repeats counted per entry and split by a question inside them; versions lined up by
question name; PostgreSQL's counting agrees with the Python one."""
# Free text is sealed (tests/surveys/test_sealed_texts.py); here it is only counted.

from collections import Counter

import pytest
from django.db import connection

from bridgeway.surveys import aggregate, services, tally
from bridgeway.surveys.models import Submission, SubmissionUnit
from bridgeway.surveys.texts import is_sealed
from tests.surveys.forms import good_answers, member_form


@pytest.fixture
def answered(cast, survey):
    sub, _ = services.submission_save(survey=survey, actor=cast.caseworker_a,
                                      organisation=cast.org_a, answers=good_answers(
                                          restrictions=["registration", "foreign_funding"],
                                          staff=[{"role": "lawyer", "hours": "40",
                                                  "contract": "employed"},
                                                 {"role": "cook", "hours": "20",
                                                  "contract": "volunteer"}]),
                                      submit=True)
    services.form_upload(survey=survey, actor=cast.coordinator, xlsform=member_form())
    survey.refresh_from_db()
    for i, share in enumerate([10, 20, 30, 50]):
        answers = dict(sub.answers, share=share, region_country="ua" if i % 2 else "md",
                       city="kyiv" if i % 2 else "chisinau")
        Submission.objects.create(survey=survey, version=survey.current_version,
                                  organisation=cast.org_a, owner_key=f"copy:{i}",
                                  status="submitted", answers=answers)
    survey.threshold = 1
    survey.save()
    assert tally.units_rebuild(survey_id=survey.pk) == 4  # the copies, made around the services
    return survey


def block(report, name):
    return next(b for b in report["questions"] if b["name"] == name)


def test_counts_statistics_and_repeats(answered):
    report = aggregate.survey_results(answered)
    assert report["total"] == 5
    share = block(report, "share")["groups"][0]["stats"]
    assert share == {"mean": 30, "median": 30, "min": 10, "max": 50, "sd": 15.81}
    restrictions = dict((lab, c) for lab, c, _p in block(report, "restrictions")["groups"][0]
                        ["rows"])
    assert restrictions["Burdensome registration"] == 5
    assert restrictions["Foreign-funding rules"] == 5
    hours = block(report, "hours")["groups"][0]
    assert hours["n"] == 10 and hours["stats"]["mean"] == 30


def test_split_by_a_select_question_and_by_a_question_inside_the_repeat(answered):
    report = aggregate.survey_results(answered, split="region_country")
    groups = {g["label"]: g for g in block(report, "share")["groups"]}
    assert groups["Moldova"]["n"] == 3 and groups["Ukraine"]["n"] == 2
    report = aggregate.survey_results(answered, split="contract")
    groups = {g["label"]: g for g in block(report, "hours")["groups"]}
    assert groups["Employed"]["stats"]["mean"] == 40
    assert groups["Volunteer"]["stats"]["mean"] == 20
    # Free text (sealed) is counted per group all the same, entry by entry.
    roles = {g["label"]: g["n"] for g in block(report, "role")["groups"]}
    assert roles == {"Employed": 1, "Volunteer": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own counting")
@pytest.mark.parametrize("split", ["", "_country", "region_country", "contract", "funded"])
def test_postgresql_counts_agree_with_python(answered, split):
    from bridgeway.surveys import aggregate_pg

    questions = [q for q in aggregate.lined_up_questions(answered)
                 if q["type"] not in aggregate.SKIPPED and not is_sealed(q["type"])]
    by_name = {q["name"]: q for q in questions}
    split_q = by_name.get(split)
    py_data, py_resp = {}, {}
    aggregate._collect_python(answered, questions, split=split, split_q=split_q, data=py_data,
                              respondents=py_resp)
    for counting in (aggregate_pg.collect, aggregate_pg.collect_units):
        pg_data, pg_resp = {}, {}
        done = counting(answered, questions, split=split, split_q=split_q, data=pg_data,
                        respondents=pg_resp)
        assert done
        agree(done, by_name, py_data, py_resp, pg_data, pg_resp)


def agree(done, by_name, py_data, py_resp, pg_data, pg_resp):
    for name in done:
        assert Counter(py_resp[name]) == Counter(pg_resp[name]), name
        if by_name[name]["type"] in aggregate.NUMERIC:
            for g, stats in py_data[name].items():
                assert stats == pytest.approx(pg_data[name][g]), name
        else:
            assert {g: dict(c) for g, c in py_data[name].items()} == \
                {g: dict(c) for g, c in pg_data[name].items()}, name


def _text_rows_counted(survey, done, split, by_name):
    """The free-text answers counted as Python counts them from the text rows: per question,
    respondents per group."""
    rows = aggregate._text_rows(survey, done)
    counted = {name: Counter() for name in done}
    for row, groups in zip(rows, aggregate._text_groups(
            survey, rows, split=split, split_q=by_name.get(split), by_name=by_name),
            strict=True):
        for g in groups:
            counted[row[2]][g] += 1
    return counted


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own counting")
@pytest.mark.parametrize("split", ["", "_country", "_org_type", "region_country"])
def test_postgresql_counts_free_text_as_python_does(answered, split):
    from bridgeway.surveys import aggregate_pg

    every = aggregate.lined_up_questions(answered)
    by_name = {q["name"]: q for q in every}
    sealed = [q for q in every if q["type"] == "text"]
    pg_resp = {}
    done = aggregate_pg.count_texts(answered, sealed, split=split,
                                    split_q=by_name.get(split), respondents=pg_resp)
    assert done == {q["name"] for q in sealed} >= {"org_name", "role", "restrictions_other"}
    py_resp = _text_rows_counted(answered, done, split, by_name)
    assert py_resp == pg_resp and sum(py_resp["role"].values()) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own counting")
@pytest.mark.parametrize("split", ["", "_country", "_org_type", "region_country", "contract"])
def test_the_units_count_free_text_as_its_rows_do(answered, split):
    """Sealed answers are counted from the units (the question's code, from the text's place),
    by the same statements as the choices, also split by a question of the same repeat; the
    figures are those of the text rows."""
    from bridgeway.surveys import aggregate_pg

    every = aggregate.lined_up_questions(answered)
    by_name = {q["name"]: q for q in every}
    sealed = [q for q in every if q["type"] == "text"]
    pg_data, pg_resp = {}, {}
    done = aggregate_pg.collect_units(answered, sealed, split=split,
                                      split_q=by_name.get(split), data=pg_data,
                                      respondents=pg_resp)
    # Split by a question of the repeat, the submission's own texts are left to Python.
    assert done == ({"role"} if split == "contract" else {q["name"] for q in sealed})
    py_resp = _text_rows_counted(answered, done, split, by_name)
    assert py_resp == {k: Counter(v) for k, v in pg_resp.items()}
    assert sum(py_resp["role"].values()) == 2


def test_reopened_answers_leave_the_counting_until_submitted_again(cast, answered):
    first = Submission.objects.filter(survey=answered, owner_key__startswith="org:").get()
    assert SubmissionUnit.objects.filter(submission=first).count() == 3  # itself, 2 entries
    services.submission_reopen(submission=first, actor=cast.coordinator)
    assert not SubmissionUnit.objects.filter(submission=first).exists()
    report = aggregate.survey_results(answered)
    assert report["total"] == 4
    assert block(report, "hours")["groups"][0]["n"] == 8
    assert block(report, "org_name")["groups"] == []  # its only text answer is not counted


def test_the_migration_adds_the_codes_of_sealed_answers_to_units_written_before(cast, answered):
    from importlib import import_module

    from django.apps import apps as global_apps

    migration = import_module("bridgeway.surveys.migrations.0004_text_codes_in_units")
    first = Submission.objects.filter(survey=answered, owner_key__startswith="org:").get()
    tally.write_units(first, first.version.spec, first.answers)  # as before: no text codes
    reopened = Submission.objects.exclude(pk=first.pk).filter(survey=answered).first()
    Submission.objects.filter(pk=reopened.pk).update(status="draft")  # reopened before

    def answered_codes():
        names = {pk: q for (q, v), pk in tally.codes_of(answered.pk).items() if v == ""}
        return sorted((u.repeat, u.entry, names[c]) for u in
                      SubmissionUnit.objects.filter(submission=first) for c in u.codes
                      if names.get(c) in ("org_name", "role"))

    assert answered_codes() == []
    migration.add_text_codes(global_apps, None)
    assert answered_codes() == [("", 0, "org_name"), ("staff", 0, "role"), ("staff", 1, "role")]
    assert not SubmissionUnit.objects.filter(submission=reopened).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_rebuilding_units_leaves_fresh_statistics(answered):
    """`survey_units_rebuild` writes units in bulk, then analyses the survey tables, so that no
    plan waits for autovacuum (the fixture rebuilt the copies' units)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'surveys_submissionunit'"
                       " AND attname = 'repeat'")
        assert cursor.fetchone()[0] == 1


@pytest.fixture
def medians(cast, survey):
    """Budgets (decimal) and shares (integer) split by country: Moldova an even count with
    decimals (the median between the two middle values), Ukraine an odd count with ties, one
    submission without a country and with a budget only (one value; no share at all)."""
    rows = [("md", 10, 10), ("md", 50, 40), ("md", 12.5, 20), ("md", 30, 30),
            ("ua", 7, 33), ("ua", 9, 33), ("ua", 5.5, 33), ("ua", 7, 33), ("ua", 7, 33),
            ("", 99.99, None)]
    for i, (country, budget, share) in enumerate(rows):
        answers = {"funded": "yes", "budget": budget, "region_country": country}
        if share is not None:
            answers["share"] = share
        Submission.objects.create(survey=survey, version=survey.current_version,
                                  organisation=cast.org_a, owner_key=f"median:{i}",
                                  status="submitted", answers=answers)
    assert tally.units_rebuild(survey_id=survey.pk) == len(rows)
    survey.threshold = 1
    survey.save()
    return survey


def stats_by_group(report, name):
    return {g["label"]: (g["n"], g.get("stats", {}).get("median"))
            for g in block(report, name)["groups"]}


def test_medians_of_even_and_odd_counts_ties_one_value_and_decimals(medians):
    report = aggregate.survey_results(medians, split="region_country")
    assert stats_by_group(report, "budget") == {
        "Moldova": (4, 21.25), "Ukraine": (5, 7), "Not answered": (1, 99.99)}
    # No one without a country gave a share: that group has no row for it at all.
    assert stats_by_group(report, "share") == {"Moldova": (4, 25), "Ukraine": (5, 33)}
    everyone = aggregate.survey_results(medians)
    assert stats_by_group(everyone, "budget") == {"All respondents": (10, 9.5)}
    assert block(everyone, "budget")["groups"][0]["stats"] == {
        "mean": 23.8, "median": 9.5, "min": 5.5, "max": 99.99, "sd": 30.27}


def test_a_median_below_the_threshold_stays_hidden(medians):
    medians.threshold = 2
    medians.save()
    report = aggregate.survey_results(medians, split="region_country")
    unanswered = next(g for g in block(report, "budget")["groups"]
                      if g["label"] == "Not answered")
    assert unanswered["n"] == "<2" and unanswered["suppressed"] and "stats" not in unanswered
    assert stats_by_group(report, "budget")["Ukraine"] == (5, 7)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own counting")
@pytest.mark.parametrize("split", ["", "region_country", "funded"])
def test_postgresql_medians_are_those_of_every_value_sorted(medians, split):
    """The database's median (each group's values gathered, then percentile_cont) is exactly
    the middle value, or the halfway point of the two middle values, of Python's sort."""
    from bridgeway.surveys import aggregate_pg

    questions = [q for q in aggregate.lined_up_questions(medians)
                 if q["type"] in aggregate.NUMERIC]
    by_name = {q["name"]: q for q in aggregate.lined_up_questions(medians)}
    py_data, py_resp, pg_data, pg_resp = {}, {}, {}, {}
    aggregate._collect_python(medians, questions, split=split, split_q=by_name.get(split),
                              data=py_data, respondents=py_resp)
    done = aggregate_pg.collect_units(medians, questions, split=split,
                                      split_q=by_name.get(split), data=pg_data,
                                      respondents=pg_resp)
    assert done == {"share", "budget", "hours"}
    agree(done, by_name, py_data, py_resp, pg_data, pg_resp)
    for name in ("share", "budget"):
        assert {g: s["median"] for g, s in pg_data[name].items()} == \
            {g: s["median"] for g, s in py_data[name].items()}, name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own counting")
@pytest.mark.django_db(transaction=True)
def test_numbers_counted_on_a_second_connection_are_those_of_one(medians, monkeypatch):
    """Outside a transaction, the numbers are counted on a second connection at the same time
    as the codes, in the same snapshot: the figures are those of one connection."""
    from bridgeway.surveys import aggregate_pg

    elsewhere = []
    run_elsewhere = aggregate_pg._run_elsewhere
    monkeypatch.setattr(aggregate_pg, "_run_elsewhere",
                        lambda *a: elsewhere.append(a) or run_elsewhere(*a))
    both = aggregate.survey_results(medians, split="region_country")
    assert len(elsewhere) == 1
    monkeypatch.setattr(aggregate_pg, "PARALLEL", False)
    assert aggregate.survey_results(medians, split="region_country") == both
    assert len(elsewhere) == 1
    assert stats_by_group(both, "budget")["Moldova"] == (4, 21.25)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own counting")
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_figures_include_its_own_writes(cast, medians):
    """A second connection would not see what the caller's transaction has written and not yet
    committed: there the counting stays on the caller's connection."""
    from django.db import transaction

    with transaction.atomic():
        sub = Submission.objects.create(
            survey=medians, version=medians.current_version, organisation=cast.org_a,
            owner_key="median:late", status="submitted",
            answers={"funded": "yes", "budget": 1000, "share": 1, "region_country": "md"})
        tally.write_units(sub, medians.current_version.spec, sub.answers)
        report = aggregate.survey_results(medians, split="region_country")
    assert stats_by_group(report, "budget")["Moldova"] == (5, 30)
    assert stats_by_group(report, "share")["Moldova"] == (5, 20)
