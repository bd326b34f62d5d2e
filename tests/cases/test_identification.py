"""The combination rule, computed from data; and the default set's provenance flags."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.cases.identification import DEFAULT_RULE, evaluate, validate_set
from bridgeway.cases.indicator_sets import DEFAULT_FILE

SETS = {s["id"]: s for s in json.loads(Path(DEFAULT_FILE).read_text())["sets"]}
ADULT = SETS["adult_labour"]


def ids(set_, dim, strength):
    d = next(d for d in set_["dimensions"] if d["id"] == dim)
    return [i["id"] for i in d["indicators"] if i["strength"] == strength]


def pick(dim, strong=0, medium=0, weak=0, set_=ADULT):
    return set(ids(set_, dim, "strong")[:strong] + ids(set_, dim, "medium")[:medium]
               + ids(set_, dim, "weak")[:weak])


@pytest.mark.parametrize("counts,positive", [
    ({"medium": 3}, True),
    ({"medium": 2, "weak": 1}, True),
    ({"strong": 1, "medium": 1}, True),
    ({"strong": 1, "weak": 1}, True),
    ({"strong": 1}, False),
    ({"medium": 2}, False),
    ({"medium": 1, "weak": 1}, False),
    ({}, False),
])
def test_element_positive_thresholds(counts, positive):
    # coercion at destination has 4 strong, 10 medium, 1 weak in adult_labour
    result = evaluate(ADULT, pick("coercion_at_destination", **counts), child=False)
    dim = next(d for d in result.dimensions if d.id == "coercion_at_destination")
    assert dim.positive is positive, dim.reason


def test_adult_needs_recruitment_exploitation_and_destination():
    recruitment = pick("deceptive_recruitment", strong=1, medium=1)
    exploitation = pick("exploitation", medium=3)
    destination = pick("coercion_at_destination", strong=2)
    assert evaluate(ADULT, recruitment | exploitation | destination, child=False) \
        .indicates_trafficking
    partial = evaluate(ADULT, recruitment | exploitation, child=False)
    assert not partial.indicates_trafficking
    assert partial.missing == ["coercion_at_destination or abuse_of_vulnerability_at_destination"]


def test_child_rule_does_not_need_the_means():
    child_set = SETS["child_labour"]
    recruitment = pick("coercive_recruitment", strong=2, set_=child_set)
    exploitation = pick("exploitation", strong=1, medium=1, set_=child_set)
    assert evaluate(child_set, recruitment | exploitation, child=True).indicates_trafficking
    assert not evaluate(child_set, recruitment | exploitation, child=False).indicates_trafficking


def test_rule_is_data_a_stricter_national_rule_changes_the_result():
    strict = {**DEFAULT_RULE, "thresholds": [{"strong": 2}]}
    chosen = pick("coercion_at_destination", medium=3)
    dim = lambda r: next(d for d in r.dimensions if d.id == "coercion_at_destination")  # noqa: E731
    assert dim(evaluate(ADULT, chosen, child=False)).positive
    assert not dim(evaluate(ADULT, chosen, child=False, rule=strict)).positive


@given(st.sets(st.sampled_from(sorted(i["id"] for d in ADULT["dimensions"]
                                      for i in d["indicators"]))))
def test_more_indicators_never_make_a_positive_result_negative(present):
    base = evaluate(ADULT, present, child=False)
    extra = next(i["id"] for d in ADULT["dimensions"] for i in d["indicators"])
    more = evaluate(ADULT, present | {extra}, child=False)
    assert not (base.indicates_trafficking and not more.indicates_trafficking)
    for a, b in zip(base.dimensions, more.dimensions, strict=True):
        assert not (a.positive and not b.positive)


def test_default_file_flags_what_was_reconstructed():
    assert all(not validate_set(s) for s in SETS.values())
    for code in ("adult_sexual", "child_labour", "child_sexual"):
        assert all(i.get("uncertain") for d in SETS[code]["dimensions"] for i in d["indicators"])


@pytest.mark.parametrize("bad,message", [
    ({"id": "x", "dimensions": [{"id": "d", "indicators": [{"id": "a", "text": "t",
                                                            "strength": "huge"}]}]}, "strength"),
    ({"id": "x", "dimensions": [{"id": "d", "indicators": [
        {"id": "a", "text": "t", "strength": "weak"},
        {"id": "a", "text": "t", "strength": "weak"}]}]}, "used twice"),
    ({"dimensions": []}, "needs an id"),
])
def test_bad_sets_are_named(bad, message):
    assert any(message in p for p in validate_set(bad))
