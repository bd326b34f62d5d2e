"""Tables and charts of a survey's submitted answers.

Versions are lined up by question name: a question keeps its place in the newest form that has
it, and answers given with older versions count with the newer ones of the same name. Choices
count respondents (a select_multiple counts each chosen choice); numbers give n, mean, median,
min, max and standard deviation; dates a timeline by month; free text (sealed, see texts.py) is
counted here without being opened, and read a page at a time behind a link (`texts_page`; for
the survey's coordinators only, never published). A split ("disaggregate") is by a select
question, by a select question inside a repeat, or by the respondent organisation's country or
type. Every cell based on fewer respondents than the survey's threshold shows as "<k"."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext as _

from bridgeway.core.charts import bar_chart
from bridgeway.core.smallcells import shown_count
from bridgeway.core.spreadsheets import safe_cell
from bridgeway.orgs.codes import OrgType, country_name
from bridgeway.surveys.codes import Split, SubmissionStatus
from bridgeway.surveys.models import (
    FormVersion,
    Submission,
    SubmissionText,
    SubmissionUnit,
    Survey,
)
from bridgeway.surveys.spec import iter_questions, text_in
from bridgeway.surveys.texts import SEP, is_sealed, open_text, unit_at

NUMERIC = {"integer", "decimal", "range"}
TEMPORAL = {"date", "datetime"}
CHOICE = {"select_one", "select_multiple"}
SKIPPED = {"note", "start", "end", "today", "acknowledge", "hidden", "calculate"}
ALL = "__all__"


def lined_up_questions(survey: Survey) -> list[dict[str, Any]]:
    """The questions of every version the submissions used, by name; newest form first."""
    # A version is used if one submission has it: one index probe per version (a survey has a
    # few), not a read of every submission.
    used = Exists(Submission.objects.filter(version_id=OuterRef("pk")))
    seen: dict[str, dict[str, Any]] = {}
    versions = (FormVersion.objects.filter(survey=survey)
                .filter(used | Q(pk=survey.current_version_id or 0))
                .order_by("-number").only("spec", "number"))
    for version in versions:
        spec = version.spec
        top = set(_top_repeats(spec["children"]))
        for node, repeat in iter_questions(spec["children"]):
            if node["name"] in seen:
                continue
            q = {"name": node["name"], "type": node["type"], "label": node["label"],
                 "repeat": repeat, "choices": spec["choices"].get(node.get("list", ""), []),
                 "default_lang": spec["default_language"],
                 "top_repeat": repeat is None or repeat in top}
            seen[node["name"]] = q
    return list(seen.values())


def _top_repeats(nodes: list[dict[str, Any]]) -> Iterator[str]:
    """The repeats not inside another repeat (their entries are a list in the answers)."""
    for node in nodes:
        if node["kind"] == "repeat":
            yield node["name"]
        elif node["kind"] == "group":
            yield from _top_repeats(node["children"])


def split_options(survey: Survey) -> list[tuple[str, str]]:
    options = [(Split.COUNTRY.value, str(Split.COUNTRY.label)),
               (Split.ORG_TYPE.value, str(Split.ORG_TYPE.label))]
    for q in lined_up_questions(survey):
        if q["type"] == "select_one":
            label = text_in(q["label"], "", q["default_lang"], q["name"])
            options.append((q["name"], label))
    return options


def units_of(answers: dict[str, Any], repeat: str | None) -> Iterator[dict[str, Any]]:
    """The answer dicts a question lives in: the submission's, or each entry of its repeat
    (repeats nested anywhere)."""
    if repeat is None:
        yield answers
        return

    def walk(values: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for key, value in values.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                if key == repeat:
                    yield from (v for v in value if isinstance(v, dict))
                else:
                    for v in value:
                        if isinstance(v, dict):
                            yield from walk(v)
    yield from walk(answers)


def _split_values(unit: dict[str, Any], answers: dict[str, Any], org: tuple[str, str],
                  split: str, split_q: dict[str, Any] | None, q: dict[str, Any]) -> set[str]:
    if not split:
        return {ALL}
    if split == Split.COUNTRY:
        return {org[0] or "?"}
    if split == Split.ORG_TYPE:
        return {org[1] or "?"}
    if split_q is None:
        return {ALL}
    if split_q["repeat"] is None:
        v = answers.get(split)
        return {str(v)} if v not in (None, "") else {"?"}
    if split_q["repeat"] == q["repeat"]:
        v = unit.get(split)
        return {str(v)} if v not in (None, "") else {"?"}
    found = {str(u.get(split)) for u in units_of(answers, split_q["repeat"])
             if u.get(split) not in (None, "")}
    return found or {"?"}


def _rows(survey: Survey) -> list[tuple[dict[str, Any], tuple[str, str]]]:
    return [(answers if isinstance(answers, dict) else {}, (country or "", org_type or ""))
            for answers, country, org_type in
            Submission.objects.filter(survey=survey, status=SubmissionStatus.SUBMITTED)
            .values_list("answers", "organisation__country", "organisation__org_type")]


def collect(survey: Survey, *, split: str = "",
            names: Iterable[str] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per question and split value: a Counter of values (choices, months, texts) or the
    statistics of the numbers, and the number of respondents. On PostgreSQL the counting is
    done by the database: two statements per level over the submission units written at
    submission (tally.py; sealed answers are there as codes, never opened), or over the JSON
    answers and the sealed texts' rows while some submitted answers have no units yet.
    Elsewhere, and for what those statements do not cover (a question in a nested repeat, a
    split by a question of another repeat), in one pass in Python."""
    every = lined_up_questions(survey)
    questions = [q for q in every if q["type"] not in SKIPPED]
    if names is not None:
        wanted = set(names)
        questions = [q for q in questions if q["name"] in wanted]
    by_name = {q["name"]: q for q in every}
    split_q = by_name.get(split) if split and not split.startswith("_") else None
    data: dict[str, Any] = {}
    respondents: dict[str, Counter] = {}
    pending = questions
    submitted: QuerySet[Any] = Submission.objects.filter(survey=survey,
                                                         status=SubmissionStatus.SUBMITTED)
    if connection.vendor == "postgresql":
        from bridgeway.surveys import aggregate_pg

        if aggregate_pg.all_counted(survey):  # sealed answers are in the units too
            # One unit per submitted submission at the top: counted from the narrow units
            # rather than the submissions, whose rows carry the answers.
            submitted = SubmissionUnit.objects.filter(survey=survey, repeat="")
            done = aggregate_pg.collect_units(survey, questions, split=split, split_q=split_q,
                                              data=data, respondents=respondents)
        else:
            done = aggregate_pg.collect(survey, [q for q in questions
                                                 if not is_sealed(q["type"])],
                                        split=split, split_q=split_q, data=data,
                                        respondents=respondents)
        pending = [q for q in questions if q["name"] not in done]
    sealed = [q for q in pending if is_sealed(q["type"])]
    if sealed:
        _collect_texts(survey, sealed, split=split, split_q=split_q, data=data,
                       respondents=respondents)
    rest = [q for q in pending if not is_sealed(q["type"])]
    if rest:
        _collect_python(survey, rest, split=split, split_q=split_q, data=data,
                        respondents=respondents)
    return questions, {"data": data, "respondents": respondents, "total": submitted.count()}


def _text_rows(survey: Survey, names: Iterable[str]) -> list[tuple[int, int, str, str]]:
    """(text id, submission id, question, place) of the submitted answers to these questions."""
    return list(SubmissionText.objects
                .filter(survey=survey, question__in=list(names),
                        submission__status=SubmissionStatus.SUBMITTED)
                .order_by("submission_id", "pk")
                .values_list("pk", "submission_id", "question", "place"))


def _text_groups(survey: Survey, rows: list[tuple[int, int, str, str]], *, split: str,
                 split_q: dict[str, Any] | None,
                 by_name: dict[str, dict[str, Any]]) -> list[set[str]]:
    """The split values of each sealed answer, found without opening it: from its
    organisation, or from the clear answers around its place."""
    if not split or (split_q is None and not split.startswith("_")):
        return [{ALL} for _r in rows]
    ids = {r[1] for r in rows}
    subs = Submission.objects.filter(pk__in=ids).order_by()
    orgs: dict[int, tuple[str, str]] = {}
    answers: dict[int, dict[str, Any]] = {}
    if split_q is None:
        orgs = {pk: (c or "", t or "") for pk, c, t in
                subs.values_list("pk", "organisation__country", "organisation__org_type")}
    elif split_q["repeat"] is None:
        answers = {pk: {split: v} for pk, v in
                   subs.annotate(_v=KeyTransform(split, "answers")).values_list("pk", "_v")}
    else:
        answers = {pk: a if isinstance(a, dict) else {} for pk, a in
                   subs.values_list("pk", "answers")}
    out = []
    for _pk, sub_id, question, place in rows:
        a = answers.get(sub_id, {})
        unit = unit_at(a, place) if SEP in place else a
        out.append(_split_values(unit or {}, a, orgs.get(sub_id, ("", "")), split, split_q,
                                 by_name[question]))
    return out


def _collect_texts(survey: Survey, questions: list[dict[str, Any]], *, split: str,
                   split_q: dict[str, Any] | None, data: dict[str, Any],
                   respondents: dict[str, Counter]) -> None:
    """Sealed answers are counted (one row, one answer), never opened: by PostgreSQL where the
    split value is the submission's or its organisation's, otherwise here."""
    by_name = {q["name"]: q for q in questions}
    for name in by_name:
        data[name] = defaultdict(Counter)
        respondents[name] = Counter()
    if connection.vendor == "postgresql":
        from bridgeway.surveys import aggregate_pg

        done = aggregate_pg.count_texts(survey, questions, split=split, split_q=split_q,
                                        respondents=respondents)
        by_name = {n: q for n, q in by_name.items() if n not in done}
        if not by_name:
            return
    rows = _text_rows(survey, by_name)
    for row, groups in zip(rows, _text_groups(survey, rows, split=split, split_q=split_q,
                                              by_name=by_name), strict=True):
        for g in groups:
            respondents[row[2]][g] += 1


TEXTS_PER_PAGE = 50


def text_question(survey: Survey, name: str) -> dict[str, Any] | None:
    """The free-text (sealed) question `name` of the survey, lined up over its versions; None if
    there is none by that name."""
    q = {q["name"]: q for q in lined_up_questions(survey)}.get(name)
    if q is None or q["type"] in SKIPPED or not is_sealed(q["type"]):
        return None
    return q


def text_rows(survey: Survey, q: dict[str, Any], *, split: str = "", group: str = ""
              ) -> list[tuple[int, int, str, str]]:
    """(text id, submission id, question, place) of the submitted answers to the sealed
    question `q`, of one split group if split (`group` "" for all), none opened."""
    rows = _text_rows(survey, [q["name"]])
    if split:
        by_name = {x["name"]: x for x in lined_up_questions(survey)}
        split_q = by_name.get(split) if not split.startswith("_") else None
        groups = _text_groups(survey, rows, split=split, split_q=split_q,
                              by_name={q["name"]: q})
        rows = [r for r, gs in zip(rows, groups, strict=True) if (group or ALL) in gs]
    return rows


def open_rows(rows: list[tuple[int, int, str, str]]) -> list[tuple[int, str, str]]:
    """(submission id, place, answer in words) of these text rows, opened in memory, in order."""
    if not rows:
        return []
    texts = (SubmissionText.objects.filter(pk__in=[r[0] for r in rows])
             .select_related("submission").only(
                 "place", "value", "submission__id", "submission__kek_id",
                 "submission__wrapped_key", "submission__organisation_id"))
    opened = {t.pk: (t.submission_id, t.place, _words(open_text(t.submission, t.place,
                                                                 t.value)))
              for t in texts}
    return [opened[r[0]] for r in rows if r[0] in opened]


def texts_page(survey: Survey, *, name: str, split: str = "", group: str = "", page: int = 1,
               lang: str = "") -> dict[str, Any] | None:
    """A page of one sealed question's submitted answers (of one split group, if split), opened
    in memory; None for a question that is not free text. A group smaller than the survey's
    threshold shows no answers, as on the results screen. The caller has checked that the
    person coordinates the survey (and records the read: services.record_texts_read)."""
    q = text_question(survey, name)
    if q is None:
        return None
    split_q = None
    if split and not split.startswith("_"):
        split_q = {x["name"]: x for x in lined_up_questions(survey)}.get(split)
    if not split:
        group = ""
    rows = text_rows(survey, q, split=split, group=group)
    n, k = len(rows), survey.threshold
    pager = Paginator(rows if n >= k else [], TEXTS_PER_PAGE).get_page(page)
    answers = [(sub_id, text) for sub_id, _place, text in open_rows(list(pager.object_list))]
    return {"name": name, "label": text_in(q["label"], lang, q["default_lang"], name),
            "group": group, "group_label": _group_label(split, group or ALL, split_q, lang)
            if split else "", "n": shown_count(n, k), "suppressed": 0 < n < k,
            "answers": answers, "page": pager, "threshold": k}


def _words(value: Any) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value)


def number_stats(values: list[float]) -> dict[str, float]:
    n = len(values)
    mean = math.fsum(values) / n
    ordered = sorted(values)
    mid = n // 2
    median = ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    return {"mean": mean, "median": median, "min": ordered[0], "max": ordered[-1], "sd": sd}


def _collect_python(survey: Survey, questions: list[dict[str, Any]], *, split: str,
                    split_q: dict[str, Any] | None, data: dict[str, Any],
                    respondents: dict[str, Counter]) -> None:
    numbers: dict[str, Any] = {q["name"]: defaultdict(list) for q in questions
                               if q["type"] in NUMERIC}
    for q in questions:
        data[q["name"]] = defaultdict(Counter) if q["type"] not in NUMERIC else {}
        respondents[q["name"]] = Counter()
    for answers, org in _rows(survey):
        for q in questions:
            name, kind = q["name"], q["type"]
            cell = data[name]
            for unit in units_of(answers, q["repeat"]):
                value = unit.get(name)
                if value in (None, "", []):
                    continue
                groups = _split_values(unit, answers, org, split, split_q, q)
                for g in groups:
                    respondents[name][g] += 1
                    if kind in NUMERIC:
                        try:
                            numbers[name][g].append(float(value))
                        except (TypeError, ValueError):
                            continue
                    elif kind == "select_multiple":
                        for v in value if isinstance(value, list) else str(value).split():
                            cell[g][v] += 1
                    elif kind in TEMPORAL:
                        cell[g][str(value)[:7]] += 1
                    else:
                        cell[g][str(value)] += 1
    for name, groups in numbers.items():
        data[name] = {g: number_stats(values) for g, values in groups.items() if values}


def _group_label(split: str, value: str, split_q: dict[str, Any] | None, lang: str) -> str:
    if value == ALL:
        return _("All respondents")
    if value == "?":
        return _("Not answered")
    if split == Split.COUNTRY:
        return str(country_name(value) or value)
    if split == Split.ORG_TYPE:
        return str(dict(OrgType.choices).get(value, value))
    if split_q is not None:
        return _choice_label(split_q, value, lang)
    return value


def _choice_label(q: dict[str, Any], value: str, lang: str) -> str:
    for c in q["choices"]:
        if c["name"] == value:
            return text_in(c["label"], lang, q["default_lang"], value)
    return value


def _round(value: float) -> float | int:
    value = round(float(value), 2)
    return int(value) if value == int(value) else value


def survey_results(survey: Survey, *, split: str = "", lang: str = "",
                   names: Iterable[str] | None = None) -> dict[str, Any]:
    k = survey.threshold
    questions, collected = collect(survey, split=split, names=names)
    data, respondents = collected["data"], collected["respondents"]
    all_q = {q["name"]: q for q in lined_up_questions(survey)}
    split_q = all_q.get(split) if split and not split.startswith("_") else None
    blocks = []
    total = collected["total"]
    for q in questions:
        name, kind = q["name"], q["type"]
        label = text_in(q["label"], lang, q["default_lang"], name)
        groups = sorted(data[name].keys() | respondents[name].keys(),
                        key=lambda g: (g in ("?",), _group_label(split, g, split_q, lang)))
        block: dict[str, Any] = {"name": name, "label": label, "type": kind,
                                 "repeat": q["repeat"], "sealed": is_sealed(kind), "groups": [],
                                 "charts": []}
        for g in groups:
            n = respondents[name][g]
            glabel = _group_label(split, g, split_q, lang)
            group: dict[str, Any] = {"key": g, "label": glabel, "n": shown_count(n, k),
                                     "suppressed": 0 < n < k}
            if kind in NUMERIC:
                stats = data[name].get(g)
                if stats and n >= k:
                    group["stats"] = {key: _round(value) for key, value in stats.items()}
            elif is_sealed(kind):
                group["readable"] = n >= k
            else:
                counter = data[name][g]
                if kind in CHOICE:
                    order = [c["name"] for c in q["choices"]]
                    order += sorted(set(counter) - set(order))
                    rows = [(_choice_label(q, v, lang), counter.get(v, 0)) for v in order]
                else:
                    rows = sorted(counter.items())
                group["rows"] = [(lab, shown_count(c, k),
                                  "" if (0 < c < k or not n) else f"{100 * c / n:.0f} %")
                                 for lab, c in rows]
                block["charts"].append(bar_chart(
                    f"q-{name}-{len(block['charts'])}",
                    label if g == ALL else f"{label} — {glabel}",
                    [(lab, c) for lab, c in rows], unit=_("Respondents"),
                    suppress_below=k))
            block["groups"].append(group)
        blocks.append(block)
    return {"questions": blocks, "total": total, "threshold": k}


def question_csv(survey: Survey, *, name: str, split: str = "") -> str | None:
    report = survey_results(survey, split=split, names=[name])
    if not report["questions"]:
        return None
    block = report["questions"][0]
    out = io.StringIO()
    w = csv.writer(out)
    if block["type"] in NUMERIC:
        w.writerow(["group", "respondents", "mean", "median", "min", "max", "sd"])
        for g in block["groups"]:
            s = g.get("stats") or {}
            w.writerow([safe_cell(g["label"]), g["n"], s.get("mean", ""), s.get("median", ""),
                        s.get("min", ""), s.get("max", ""), s.get("sd", "")])
    elif is_sealed(block["type"]):
        w.writerow(["group", "respondents"])
        for g in block["groups"]:
            w.writerow([safe_cell(g["label"]), g["n"]])
    else:
        w.writerow(["group", "answer", "respondents", "percent"])
        for g in block["groups"]:
            for lab, c, pct in g.get("rows", []):
                w.writerow([safe_cell(g["label"]), safe_cell(lab), c, pct])
    return out.getvalue()
