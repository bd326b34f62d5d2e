"""Identification by the ILO/EC operational indicators: which indicators are present, whether each
dimension is positive, and whether the combination rule points to trafficking.

Indicator sets and the rule are data (IndicatorSet rows), not code: the rule's thresholds and
required dimensions come from the set's JSON, so a national or corrected set changes behaviour
without a release. The result supports the caseworker's judgement; it is never the decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RECRUITMENT = ("deceptive_recruitment", "coercive_recruitment",
               "recruitment_abuse_of_vulnerability")
DESTINATION = ("coercion_at_destination", "abuse_of_vulnerability_at_destination")

# element_positive from the 2009 document as transcribed: 2 strong; 1 strong + 1 medium or weak;
# 3 medium; 2 medium + 1 weak.
DEFAULT_THRESHOLDS = [
    {"strong": 2},
    {"strong": 1, "medium_or_weak": 1},
    {"medium": 3},
    {"medium": 2, "weak": 1},
]
DEFAULT_RULE = {
    "thresholds": DEFAULT_THRESHOLDS,
    "adult": {"all_of": [{"any_of": list(RECRUITMENT)}, {"any_of": ["exploitation"]},
                         {"any_of": list(DESTINATION)}]},
    "child": {"all_of": [{"any_of": list(RECRUITMENT)}, {"any_of": ["exploitation"]}]},
}


@dataclass
class DimensionResult:
    id: str
    label: str
    strong: int = 0
    medium: int = 0
    weak: int = 0
    positive: bool = False
    reason: str = ""


@dataclass
class Result:
    dimensions: list[DimensionResult]
    indicates_trafficking: bool
    missing: list[str] = field(default_factory=list)  # requirement groups not met
    rule_for: str = "adult"

    def as_dict(self) -> dict:
        return {
            "indicates_trafficking": self.indicates_trafficking,
            "rule_for": self.rule_for,
            "missing": self.missing,
            "dimensions": [d.__dict__ for d in self.dimensions],
        }


def _meets(counts: dict[str, int], threshold: dict[str, int]) -> bool:
    strong, medium, weak = counts["strong"], counts["medium"], counts["weak"]
    need_strong = threshold.get("strong", 0)
    need_medium = threshold.get("medium", 0)
    need_weak = threshold.get("weak", 0)
    need_mw = threshold.get("medium_or_weak", 0)
    if strong < need_strong or medium < need_medium or weak < need_weak:
        return False
    spare = (medium - need_medium) + (weak - need_weak)
    return spare >= need_mw


def _describe(threshold: dict[str, int]) -> str:
    parts = [f"{n} {k.replace('_', ' ')}" for k, n in threshold.items()]
    return " + ".join(parts)


def evaluate(indicator_set: dict, present: set[str], *, child: bool,
             rule: dict | None = None) -> Result:
    """`indicator_set` is a set's JSON (dimensions → indicators with strength); `present` the ids
    found present. Unknown ids are ignored by the caller's validation, not here."""
    rule = rule or DEFAULT_RULE
    thresholds = rule.get("thresholds", DEFAULT_THRESHOLDS)
    dims: list[DimensionResult] = []
    by_id: dict[str, DimensionResult] = {}
    for dim in indicator_set["dimensions"]:
        result = DimensionResult(id=dim["id"], label=dim.get("label", dim["id"]))
        for ind in dim["indicators"]:
            if ind["id"] in present:
                setattr(result, ind["strength"], getattr(result, ind["strength"]) + 1)
        counts = {"strong": result.strong, "medium": result.medium, "weak": result.weak}
        met = next((t for t in thresholds if _meets(counts, t)), None)
        result.positive = met is not None
        result.reason = (f"positive: {_describe(met)}" if met else
                         f"not positive: {result.strong} strong, {result.medium} medium, "
                         f"{result.weak} weak present")
        dims.append(result)
        by_id[result.id] = result
    combination = rule["child" if child else "adult"]
    missing = []
    for group in combination["all_of"]:
        if not any(by_id.get(d) and by_id[d].positive for d in group["any_of"]):
            missing.append(" or ".join(group["any_of"]))
    return Result(dimensions=dims, indicates_trafficking=not missing, missing=missing,
                  rule_for="child" if child else "adult")


def validate_set(data: dict) -> list[str]:
    """Problems with an imported indicator set, each naming where it is."""
    problems = []
    if not isinstance(data, dict) or not data.get("id") or not data.get("dimensions"):
        return ["The set needs an id and a list of dimensions."]
    seen: set[str] = set()
    for d_index, dim in enumerate(data["dimensions"], start=1):
        if not dim.get("id"):
            problems.append(f"Dimension {d_index}: no id.")
        for i_index, ind in enumerate(dim.get("indicators") or [], start=1):
            where = f"Dimension {dim.get('id', d_index)}, indicator {i_index}"
            if not ind.get("id") or not ind.get("text"):
                problems.append(f"{where}: needs an id and a text.")
            elif ind["id"] in seen:
                problems.append(f"{where}: id {ind['id']} is used twice.")
            else:
                seen.add(ind["id"])
            if ind.get("strength") not in ("strong", "medium", "weak"):
                problems.append(f"{where}: strength must be strong, medium or weak.")
    return problems
