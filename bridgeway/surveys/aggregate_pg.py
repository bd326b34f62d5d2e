"""The counting of surveys.aggregate done by PostgreSQL: one statement per level (the
submission, and each repeat not inside another) that walks every answer once with jsonb_each
and counts (question, answer, split value). What comes back is small — one row per distinct
answer and group — and is turned into the same Counters and statistics as the Python path
(numbers from their histogram), so 10,000 submissions of a 100-question form are not carried
into Python one by one."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from typing import Any

from django.db import connection, transaction

from bridgeway.surveys.codes import Split, SubmissionStatus
from bridgeway.surveys.models import Survey
from bridgeway.surveys.texts import is_sealed

NUMERIC = {"integer", "decimal", "range"}
TEMPORAL = {"date", "datetime"}
ALL = "__all__"

# The split value of a row, by kind of split; the only SQL put together from pieces, and each
# piece is one of these constants (values travel as parameters).
GROUP_SQL = {
    "all": f"'{ALL}'",
    "country": "coalesce(nullif(o.country, ''), '?')",
    "org_type": "coalesce(nullif(o.org_type, ''), '?')",
    "submission": "gg.g",
    "entry": "coalesce(nullif(r.item->>%s, ''), '?')",
}
# The split answer of the submission is read once per submission (OFFSET 0 keeps PostgreSQL
# from folding it into every answer row, where it would unpack the whole JSON each time).
SOURCE_SQL = ("surveys_submission s JOIN orgs_organisation o ON o.id = s.organisation_id "
              "CROSS JOIN LATERAL (SELECT coalesce(nullif(s.answers->>%s, ''), '?') AS g "
              "OFFSET 0) gg ")
SUBMISSION_ROWS = "CROSS JOIN LATERAL jsonb_each(s.answers) j"
ENTRY_ROWS = ("CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.answers->%s) = "
              "'array' THEN s.answers->%s ELSE '[]'::jsonb END) r(item) "
              "CROSS JOIN LATERAL jsonb_each(r.item) j")
COUNT_SQL = ("SELECT j.key, j.value::text, {group}, count(*) FROM {source} {rows} "
             "WHERE s.survey_id = %s AND s.status = %s AND j.key = ANY(%s) GROUP BY 1, 2, 3")


def _group_kind(split: str, split_q: dict[str, Any] | None, repeat: str | None) -> str | None:
    if not split or (split_q is None and not split.startswith("_")):
        return "all"
    if split == Split.COUNTRY:
        return "country"
    if split == Split.ORG_TYPE:
        return "org_type"
    if split_q is None:
        return "all"
    if split_q["repeat"] is None:
        return "submission"
    if repeat is not None and split_q["repeat"] == repeat:
        return "entry"
    return None  # a split by another repeat's question: the Python path counts it


def histogram_stats(pairs: list[tuple[float, int]]) -> dict[str, float]:
    """n, mean, median, min, max and standard deviation from (value, count) pairs."""
    pairs.sort()
    n = sum(c for _v, c in pairs)
    mean = math.fsum(v * c for v, c in pairs) / n
    sd = math.sqrt(math.fsum(c * (v - mean) ** 2 for v, c in pairs) / (n - 1)) if n > 1 else 0.0

    def nth(i: int) -> float:  # the i-th value (0-based) in sorted order
        seen = 0
        for v, c in pairs:
            seen += c
            if i < seen:
                return v
        return pairs[-1][0]

    median = nth(n // 2) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2
    return {"mean": mean, "median": median, "min": pairs[0][0], "max": pairs[-1][0], "sd": sd}


def collect(survey: Survey, questions: list[dict[str, Any]], *, split: str,
            split_q: dict[str, Any] | None, data: dict[str, Any],
            respondents: dict[str, Counter]) -> set[str]:
    """Fills `data` and `respondents` for the questions it can count; returns their names."""
    done: set[str] = set()
    by_repeat: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        if q.get("top_repeat", q["repeat"] is None):
            by_repeat[q["repeat"]].append(q)
    for repeat, qs in by_repeat.items():
        kind = _group_kind(split, split_q, repeat)
        if kind is None:
            continue
        kinds = {q["name"]: q["type"] for q in qs}
        params: list[Any] = [split]
        if repeat is not None:
            params += [repeat, repeat]
        if kind == "entry":
            params.insert(0, split)
        sql = COUNT_SQL.format(group=GROUP_SQL[kind], source=SOURCE_SQL,
                               rows=ENTRY_ROWS if repeat is not None else SUBMISSION_ROWS)
        params += [survey.pk, SubmissionStatus.SUBMITTED, list(kinds)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(UNIT_SETTINGS[0])
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        numbers: dict[str, dict[str, list[tuple[float, int]]]] = defaultdict(
            lambda: defaultdict(list))
        for name, qtype in kinds.items():
            data[name] = {} if qtype in NUMERIC else defaultdict(Counter)
            respondents[name] = Counter()
        for key, raw, grp, n in rows:
            value = json.loads(raw)
            if value in (None, "", []) or isinstance(value, dict):
                continue
            qtype = kinds[key]
            respondents[key][grp] += n
            if qtype in NUMERIC:
                try:
                    numbers[key][grp].append((float(value), n))
                except (TypeError, ValueError):
                    continue
            elif qtype == "select_multiple":
                for v in value if isinstance(value, list) else str(value).split():
                    data[key][grp][v] += n
            elif qtype in TEMPORAL:
                data[key][grp][str(value)[:7]] += n
            else:
                data[key][grp][str(value)] += n
        for key, groups in numbers.items():
            data[key] = {g: histogram_stats(pairs) for g, pairs in groups.items() if pairs}
        done.update(kinds)
    return done


# --- counting from submission units (surveys/tally.py) -----------------------------------------
# One statement per level for the coded answers and one for the numbers. Their plans must not
# depend on the tables' statistics (right after a bulk load there are none, and a misestimate
# turned a join into a nested loop over a materialized subquery that ran into the statement
# timeout), so each has one shape whatever the planner knows:
# - the level's units are read by one scan (`survey_id`, `repeat`: the index survey_unit_level)
#   in a subquery kept whole (OFFSET 0), which also works out each unit's split value once;
#   the only joins are to single rows by a unique key: the submission's own unit (submission,
#   "", 0), for a repeat split by a question of the submission — without statistics and with a
#   partial key the planner once intersected that lookup with a scan of the whole level's index
#   for every unit —, or the submission and organisation by primary key, for a split by country
#   or type;
# - the codes (or numbers) are unnested from each unit row and grouped by a hash aggregate (the
#   numbers' median sorts each group's values on their own);
# - Memoize is off (caching unnest by the array is pure cost here: nearly every unit's codes
#   differ, and whether the planner tries it depends on statistics), and the numbers' grouping
#   (each group's values held for its median; a sort by group when planned without statistics)
#   has the memory it needs instead of spilling to disk.
# Units exist only for submitted answers (reopening answers deletes them), so no join to the
# submissions is needed for their status. Every piece below is a constant; values are parameters.
UNIT_GROUP = {
    "all": ("0", ""),
    "country": ("coalesce(nullif(o.country, ''), '?')",
                "JOIN surveys_submission s ON s.id = u.submission_id "
                "JOIN orgs_organisation o ON o.id = s.organisation_id "),
    "org_type": ("coalesce(nullif(o.org_type, ''), '?')",
                 "JOIN surveys_submission s ON s.id = u.submission_id "
                 "JOIN orgs_organisation o ON o.id = s.organisation_id "),
    "submission": ("{split}", "JOIN surveys_submissionunit t ON t.submission_id = u.submission_id "
                              "AND t.repeat = '' AND t.entry = 0 "),
    "entry": ("{split}", ""),
}
# The split value of a unit: the code of the split question's answer among its codes. For a
# question with few choices, one containment test per choice (C loops over a short array, once
# per unit); with many, one pass over the unit's codes.
SPLIT_CASE_MAX = 40
SPLIT_WHEN = "WHEN {codes} @> ARRAY[%s]::integer[] THEN %s "
SPLIT_SCAN = "(SELECT min(x) FROM unnest({codes}) x WHERE x = ANY(%s))"
UNITS = ("(SELECT {columns}, {group} AS g FROM surveys_submissionunit u {joins}"
         "WHERE u.survey_id = %s AND u.repeat = %s OFFSET 0) uu ")
# The codes and numbers are unnested in the select list (evaluated row by row, as a ProjectSet)
# rather than by a LATERAL function scan, which fills a tuplestore for every unit: a third of the
# time of producing the 298,000 numbers of 10,000 units.
UNIT_COUNTS = ("SELECT g, c, count(*) FROM (SELECT uu.g, unnest(uu.codes) AS c FROM {units}) x "
               "GROUP BY 1, 2")
# The median is percentile_cont over each group's own values, gathered by array_agg: the group
# by is then a hash aggregate and each group's values are sorted on their own, where an
# ordered-set aggregate over the whole input made PostgreSQL sort every number of the level by
# (group, question) first (two thirds of the statement's time). The same values reach the same
# function, so the median is the same.
UNIT_NUMBERS = ("SELECT g, q, count(*), avg(v), (SELECT percentile_cont(0.5) WITHIN GROUP "
                "(ORDER BY x) FROM unnest(array_agg(v)) x), min(v), max(v), "
                "coalesce(stddev_samp(v), 0) FROM (SELECT uu.g, unnest(uu.number_codes) AS q, "
                "unnest(uu.numbers) AS v FROM {units}) n GROUP BY 1, 2")
# SET LOCAL: for this transaction only (the statements below run in one).
UNIT_SETTINGS = ("SET LOCAL enable_memoize = off", "SET LOCAL work_mem = '32MB'")
# Whether the codes and the numbers may be counted at the same time on two connections (see
# _run_both); off, one after the other on the request's own connection.
PARALLEL = True


def _split_sql(codes: str, split_codes: list[int]) -> tuple[str, list[Any]]:
    if not split_codes:
        return "NULL::integer", []
    if len(split_codes) <= SPLIT_CASE_MAX:
        params: list[Any] = []
        for code in split_codes:
            params += [code, code]
        return ("(CASE " + SPLIT_WHEN.format(codes=codes) * len(split_codes) + "END)",
                params)
    return SPLIT_SCAN.format(codes=codes), [split_codes]


def all_counted(survey: Survey) -> bool:
    """Whether every submitted submission has its units (those submitted before units existed
    are counted from the JSON until `manage.py survey_units_rebuild`)."""
    from bridgeway.surveys.models import Submission

    return not Submission.objects.filter(survey=survey, status=SubmissionStatus.SUBMITTED,
                                         counted=False).exists()


def collect_units(survey: Survey, questions: list[dict[str, Any]], *, split: str,
                  split_q: dict[str, Any] | None, data: dict[str, Any],
                  respondents: dict[str, Counter]) -> set[str]:
    """As `collect`, from the submission units; returns the names of the questions counted."""
    from bridgeway.surveys.tally import codes_of

    codes = codes_of(survey.pk)
    by_code = {pk: qv for qv, pk in codes.items()}
    split_codes = sorted(pk for (q, v), pk in codes.items() if q == split and v != "")
    by_repeat: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in questions:
        if q.get("top_repeat", q["repeat"] is None):
            by_repeat[q["repeat"] or ""].append(q)
    done: set[str] = set()
    levels: list[tuple[str, dict[str, Any]]] = []
    counting: list[tuple[str, list[Any]]] = []
    summing: list[tuple[str, list[Any]]] = []
    for repeat, qs in by_repeat.items():
        kind = _group_kind(split, split_q, repeat or None)
        if kind is None:
            continue
        levels.append((kind, {q["name"]: q["type"] for q in qs}))
        group, joins = UNIT_GROUP[kind]
        params: list[Any] = []
        if kind == "submission" and not repeat:  # the split answer is in the unit itself
            group, joins = "{split}", ""
        if group == "{split}":
            group, params = _split_sql("t.codes" if joins else "u.codes", split_codes)
        params += [survey.pk, repeat]
        counting.append((UNIT_COUNTS.format(units=UNITS.format(
            columns="u.codes", group=group, joins=joins)), params))
        summing.append((UNIT_NUMBERS.format(units=UNITS.format(
            columns="u.number_codes, u.numbers", group=group, joins=joins)), params))
    counted_all, numbers_all = _run_both(counting, summing)
    for (kind, kinds), counted, numbers in zip(levels, counted_all, numbers_all, strict=True):
        for name, qtype in kinds.items():
            data[name] = {} if qtype in NUMERIC else defaultdict(Counter)
            respondents[name] = Counter()
        for g, code, n in counted:
            question, value = by_code.get(code, ("", ""))
            qtype = kinds.get(question)
            if qtype is None:
                continue
            grp = _group_of(kind, g, by_code)
            if qtype == "select_multiple" or is_sealed(qtype):  # "": the question answered
                if value == "":
                    respondents[question][grp] += n
                else:
                    data[question][grp][value] += n
            else:
                respondents[question][grp] += n
                data[question][grp][value] += n
        for g, code, n, mean, median, low, high, sd in numbers:
            question = by_code.get(code, ("", ""))[0]
            if kinds.get(question) not in NUMERIC:
                continue
            grp = _group_of(kind, g, by_code)
            respondents[question][grp] += n
            data[question][grp] = {"mean": mean, "median": median, "min": low, "max": high,
                                   "sd": sd}
        done.update(kinds)
    return done


def _run(statements: list[tuple[str, list[Any]]], snapshot: str = "") -> list[list[tuple]]:
    """The rows of each statement, run in one transaction (in the exported `snapshot`, if
    given: the caller's view of the data, from another connection)."""
    out = []
    with transaction.atomic(), connection.cursor() as cursor:
        if snapshot:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
        for setting in UNIT_SETTINGS:
            cursor.execute(setting)
        for sql, params in statements:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def _run_elsewhere(statements: list[tuple[str, list[Any]]], snapshot: str) -> list[list[tuple]]:
    """`_run` on this thread's own connection (a second one), closed afterwards."""
    try:
        return _run(statements, snapshot)
    finally:
        connection.close()


def _run_both(counting: list[tuple[str, list[Any]]], summing: list[tuple[str, list[Any]]]
              ) -> tuple[list[list[tuple]], list[list[tuple]]]:
    """The codes' statements and the numbers' statements, at the same time on two connections
    where that gives the same answer: when this code opens the transaction itself, so that both
    read one snapshot (REPEATABLE READ, exported to the second connection) — DuckDB, which the
    issue's goal compares with, uses every core too. Inside a caller's transaction (which may
    hold writes another connection cannot see), or with PARALLEL off, one after the other."""
    if not PARALLEL or connection.in_atomic_block or not counting:
        both = _run(counting + summing)
        return both[:len(counting)], both[len(counting):]
    from concurrent.futures import ThreadPoolExecutor

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        with ThreadPoolExecutor(max_workers=1) as pool:
            summed = pool.submit(_run_elsewhere, summing, snapshot)
            counted = _run(counting)  # a savepoint inside the REPEATABLE READ transaction
            return counted, summed.result()


def _group_of(kind: str, g: Any, by_code: dict[int, tuple[str, str]]) -> str:
    if kind in ("submission", "entry"):
        found = by_code.get(g)
        return found[1] if found else "?"
    return ALL if kind == "all" else str(g)


# --- counting sealed answers (one row each, never opened) ---------------------------------------
# Only while some submitted answers have no units (sealed answers are counted from the units
# otherwise). The split value of each submitted submission is worked out once, in a subquery kept
# whole (OFFSET 0), and its text rows are then looked up by the indexed submission id in a
# LATERAL subquery, also kept whole: whatever the statistics say, the submissions are the outer
# side and each lookup is an index scan, never a rescan of the subquery for every text row
# (which, planned without statistics after a bulk load, ran into the statement timeout).
TEXT_GROUP = {
    "all": f"'{ALL}'",
    "country": "coalesce(nullif(o.country, ''), '?')",
    "org_type": "coalesce(nullif(o.org_type, ''), '?')",
    "submission": "coalesce(nullif(s.answers->>%s, ''), '?')",
}
TEXT_COUNTS = ("SELECT t.question, gs.g, count(*) FROM (SELECT s.id, {group} AS g "
               "FROM surveys_submission s JOIN orgs_organisation o ON o.id = s.organisation_id "
               "WHERE s.survey_id = %s AND s.status = %s OFFSET 0) gs "
               "CROSS JOIN LATERAL (SELECT t.question FROM surveys_submissiontext t "
               "WHERE t.submission_id = gs.id AND t.question = ANY(%s) OFFSET 0) t "
               "GROUP BY 1, 2")


def count_texts(survey: Survey, questions: list[dict[str, Any]], *, split: str,
                split_q: dict[str, Any] | None, respondents: dict[str, Counter]) -> set[str]:
    """How many answered each sealed question, per split value, for the splits found without
    looking inside a repeat entry; returns the names counted."""
    wanted: list[str] = []
    kind = "all"
    for q in questions:
        k = _group_kind(split, split_q, q["repeat"])
        if k in TEXT_GROUP:
            wanted.append(q["name"])
            kind = k
    if not wanted:
        return set()
    params: list[Any] = [split] if kind == "submission" else []
    params += [survey.pk, SubmissionStatus.SUBMITTED, wanted]
    sql = TEXT_COUNTS.format(group=TEXT_GROUP[kind])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(UNIT_SETTINGS[0])
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for name in wanted:
        respondents[name] = Counter()
    for name, grp, n in rows:
        respondents[name][grp] += n
    return set(wanted)
