"""The counted form of a submission, written when it is submitted: one SubmissionUnit for the
submission and one per entry of each repeat not inside another, each holding integer codes for its
clear answers (a select_one's choice, each choice of a select_multiple plus the question's own
code as "answered", a date's month, a time), the question's own code for each sealed answer it has
(free text is counted, never opened: its place says which unit it belongs to), and its numbers
beside their questions' codes. Codes are SurveyCode rows, made the first time an answer is seen.
Counting then unnests short integer arrays instead of unpacking every submission's JSON
(aggregate_pg.collect_units).

After units are written in bulk (`units_rebuild`, a large import), `analyze_tables` gives
PostgreSQL the tables' statistics at once instead of within autovacuum's minute; the counting
statements do not depend on them for their plan, but every other read of the tables does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from bridgeway.surveys.models import Submission, SubmissionText, SubmissionUnit, SurveyCode
from bridgeway.surveys.texts import SEP, is_sealed

NUMERIC = {"integer", "decimal", "range"}
TEMPORAL = {"date", "datetime"}
# Not counted on the results screen (aggregate.SKIPPED).
SKIPPED = {"note", "start", "end", "today", "acknowledge", "hidden", "calculate"}


def _levels(nodes: list[dict[str, Any]], repeat: str = "", depth: int = 0):
    """(question node, its level: "" or the name of its repeat) for the questions counted from
    units; questions of a repeat inside another repeat are left to the Python counting."""
    for node in nodes:
        if node["kind"] == "question":
            if depth <= 1:
                yield node, repeat
        elif node["kind"] == "repeat":
            yield from _levels(node["children"], node["name"], depth + 1)
        else:
            yield from _levels(node["children"], repeat, depth)


def _pairs(qtype: str, value: Any) -> tuple[list[str], float | None] | None:
    """The values a question's answer is counted under, or its number; None if unanswered."""
    if value in (None, "", []) or isinstance(value, dict):
        return None
    if qtype in NUMERIC:
        try:
            return [], float(value)
        except (TypeError, ValueError):
            return None
    if qtype == "select_multiple":
        return ["", *[str(v) for v in (value if isinstance(value, list)
                                        else str(value).split())]], None
    if qtype in TEMPORAL:
        return [str(value)[:7]], None
    return [str(value)[:255]], None


def _sealed_at(spec: dict[str, Any], places: Iterable[str]) -> dict[tuple[str, int], list[str]]:
    """{(repeat, entry): [question]} of the sealed answers at `places` ("name", or
    "repeat/entry/name"; a place in a nested repeat is left to the Python counting)."""
    counted = {node["name"]: level for node, level in _levels(spec["children"])
               if node["type"] not in SKIPPED and is_sealed(node["type"])}
    found: dict[tuple[str, int], list[str]] = {}
    for place in places:
        parts = place.split(SEP)
        if len(parts) == 1:
            level, entry = "", "0"
        elif len(parts) == 3:
            level, entry = parts[0], parts[1]
        else:
            continue
        if counted.get(parts[-1]) == level and entry.isdigit():
            found.setdefault((level, int(entry)), []).append(parts[-1])
    return found


def units_of_submission(spec: dict[str, Any], answers: dict[str, Any], texts: Iterable[str] = ()
                        ) -> list[tuple[str, int, list[tuple[str, str]], list[tuple[str, float]]]]:
    """(repeat, entry, [(question, value)], [(question, number)]) for each unit; `texts` are the
    places of the sealed answers (a sealed question answered counts as (question, ""))."""
    by_level: dict[str, list[dict[str, Any]]] = {"": []}  # a repeat's units join this one
    for node, level in _levels(spec["children"]):
        if node["type"] not in SKIPPED and not is_sealed(node["type"]):
            by_level.setdefault(level, []).append(node)
    sealed = _sealed_at(spec, texts)
    out = []

    def unit(values: dict[str, Any], nodes: list[dict[str, Any]]):
        coded: list[tuple[str, str]] = []
        numbers: list[tuple[str, float]] = []
        for node in nodes:
            found = _pairs(node["type"], values.get(node["name"]))
            if found is None:
                continue
            labels, number = found
            if number is not None:
                numbers.append((node["name"], number))
            coded += [(node["name"], v) for v in labels]
        return coded, numbers

    for level in {level for level, _e in sealed}:
        by_level.setdefault(level, [])
    for level, nodes in by_level.items():
        if level == "":
            coded, numbers = unit(answers, nodes)
            out.append(("", 0, coded + [(q, "") for q in sealed.get(("", 0), [])], numbers))
            continue
        items = answers.get(level)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                coded, numbers = unit(item, nodes)
                out.append((level, i, coded + [(q, "") for q in sealed.get((level, i), [])],
                            numbers))
    return out


def write_units(submission: Submission, spec: dict[str, Any], answers: dict[str, Any],
                texts: Iterable[str] = ()) -> None:
    """Replaces the submission's units (inside the caller's transaction); `texts` are the places
    of its sealed answers."""
    units = units_of_submission(spec, answers, texts)
    wanted = {(q, v) for _r, _e, coded, _n in units for q, v in coded}
    wanted |= {(q, "") for _r, _e, _c, numbers in units for q, _v in numbers}
    codes = _codes(submission.survey_id, wanted)
    SubmissionUnit.objects.filter(submission=submission).delete()
    SubmissionUnit.objects.bulk_create(
        SubmissionUnit(submission=submission, survey_id=submission.survey_id, repeat=repeat,
                       entry=entry, codes=[codes[p] for p in coded],
                       number_codes=[codes[(q, "")] for q, _v in numbers],
                       numbers=[v for _q, v in numbers])
        for repeat, entry, coded, numbers in units)
    if not submission.counted:
        Submission.objects.filter(pk=submission.pk).update(counted=True)
        submission.counted = True


def _codes(survey_id: int, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The codes of these (question, value) pairs, made where missing (a concurrent submission
    making the same code is no conflict: the insert ignores it and both read the one row)."""
    known = codes_of(survey_id)
    missing = wanted - known.keys()
    if missing:
        SurveyCode.objects.bulk_create([SurveyCode(survey_id=survey_id, question=q, value=v)
                                        for q, v in missing], ignore_conflicts=True)
        known = codes_of(survey_id)
    return known


def codes_of(survey_id: int) -> dict[tuple[str, str], int]:
    return {(q, v): pk for pk, q, v in
            SurveyCode.objects.filter(survey_id=survey_id).values_list("pk", "question", "value")}


def units_rebuild(*, survey_id: int | None = None) -> int:
    """Writes the units of submitted submissions that have none (those submitted before units
    existed); returns how many. Each submission commits on its own, so it can be stopped and run
    again."""
    from django.db import transaction

    from bridgeway.surveys.codes import SubmissionStatus
    from bridgeway.surveys.models import FormVersion

    qs = Submission.objects.filter(status=SubmissionStatus.SUBMITTED, counted=False)
    if survey_id is not None:
        qs = qs.filter(survey_id=survey_id)
    specs: dict[int, dict[str, Any]] = {}
    done = 0
    for sub in qs.order_by("pk").only("pk", "survey_id", "version_id", "answers", "counted"):
        if sub.version_id not in specs:
            specs[sub.version_id] = FormVersion.objects.only("spec").get(pk=sub.version_id).spec
        places = SubmissionText.objects.filter(submission=sub).values_list("place", flat=True)
        with transaction.atomic():
            write_units(sub, specs[sub.version_id], sub.answers, list(places))
        done += 1
    if done:
        analyze_tables()
    return done


TABLES = ("surveys_submission", "surveys_submissiontext", "surveys_submissionunit",
          "surveys_surveycode")


def analyze_tables() -> None:
    """Fresh statistics for the survey tables on PostgreSQL (after units or submissions were
    written in bulk), so that no plan waits for autovacuum to notice. Elsewhere nothing."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES:  # constants: table names cannot be parameters
            cursor.execute(f"ANALYZE {table}")
