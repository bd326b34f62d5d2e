"""Identification by the ILO/EC operational indicators: which indicators are present, whether each
dimension is positive, and whether the combination rule points to trafficking.

Indicator sets and the rule are data (IndicatorSet rows), not code: the rule's thresholds and
required dimensions come from the set's JSON, so a national or corrected set changes behaviour
without a release. The result supports the caseworker's judgement; it is never the decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


STRENGTHS = ("strong", "medium", "weak")
STRENGTH_LABELS = {"strong": gettext_lazy("strong"), "medium": gettext_lazy("medium"),
                   "weak": gettext_lazy("weak")}
# The six dimensions every shipped set shares, by id (for results that carry no label) and by
# the shipped English labels; a national set's own labels are its data and stay as imported.
DIMENSION_LABELS = {
    "deceptive_recruitment": gettext_lazy("Deceptive recruitment"),
    "coercive_recruitment": gettext_lazy("Coercive recruitment"),
    "recruitment_abuse_of_vulnerability": gettext_lazy("Recruitment by abuse of vulnerability"),
    "exploitation": gettext_lazy("Exploitation"),
    "coercion_at_destination": gettext_lazy("Coercion at destination"),
    "abuse_of_vulnerability_at_destination": gettext_lazy("Abuse of vulnerability at destination"),
}
SHIPPED_LABELS = {
    "Deceptive recruitment (incl. transfer and transport)":
        gettext_lazy("Deceptive recruitment (incl. transfer and transport)"),
    "Coercive recruitment (incl. transfer and transport)":
        gettext_lazy("Coercive recruitment (incl. transfer and transport)"),
    "Recruitment by abuse of vulnerability (incl. transfer and transport)":
        gettext_lazy("Recruitment by abuse of vulnerability (incl. transfer and transport)"),
    "Exploitative conditions of work": gettext_lazy("Exploitative conditions of work"),
    "Exploitation": gettext_lazy("Exploitation"),
    "Coercion at destination": gettext_lazy("Coercion at destination"),
    "Abuse of vulnerability at destination":
        gettext_lazy("Abuse of vulnerability at destination"),
}
_SET_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,60}$")
THRESHOLD_KEYS = ("strong", "medium", "weak", "medium_or_weak")


def strength_label(strength: str) -> str:
    return str(STRENGTH_LABELS.get(strength, strength))


def dimension_label(dim_id: str, fallback: str = "") -> str:
    """A dimension's label in the reader's language where it is one of the shipped ones."""
    if fallback:
        return str(SHIPPED_LABELS.get(fallback, fallback))
    return str(DIMENSION_LABELS.get(dim_id, dim_id))


@dataclass
class DimensionResult:
    id: str
    label: str
    strong: int = 0
    medium: int = 0
    weak: int = 0
    positive: bool = False
    met: dict | None = None  # the threshold that made it positive; the "why" is built from it
    reason: str = ""  # English, kept for older readers; screens use explain()


@dataclass
class Result:
    dimensions: list[DimensionResult]
    indicates_trafficking: bool
    missing: list[str] = field(default_factory=list)  # requirement groups not met
    missing_groups: list[list[str]] = field(default_factory=list)  # the same, as dimension ids
    rule_for: str = "adult"

    def as_dict(self) -> dict:
        return {
            "indicates_trafficking": self.indicates_trafficking,
            "rule_for": self.rule_for,
            "missing": self.missing,
            "missing_groups": self.missing_groups,
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
        result.met = dict(met) if met else None
        result.reason = (f"positive: {_describe(met)}" if met else
                         f"not positive: {result.strong} strong, {result.medium} medium, "
                         f"{result.weak} weak present")
        dims.append(result)
        by_id[result.id] = result
    combination = rule["child" if child else "adult"]
    missing, missing_groups = [], []
    for group in combination["all_of"]:
        if not any(by_id.get(d) and by_id[d].positive for d in group["any_of"]):
            missing.append(" or ".join(group["any_of"]))
            missing_groups.append(list(group["any_of"]))
    return Result(dimensions=dims, indicates_trafficking=not missing, missing=missing,
                  missing_groups=missing_groups, rule_for="child" if child else "adult")


def _describe_threshold(threshold: dict) -> str:
    parts = []
    for key in THRESHOLD_KEYS:
        n = threshold.get(key)
        if not n:
            continue
        if key == "strong":
            parts.append(ngettext("%(n)s strong", "%(n)s strong", n) % {"n": n})
        elif key == "medium":
            parts.append(ngettext("%(n)s medium", "%(n)s medium", n) % {"n": n})
        elif key == "weak":
            parts.append(ngettext("%(n)s weak", "%(n)s weak", n) % {"n": n})
        else:
            parts.append(ngettext("%(n)s medium or weak", "%(n)s medium or weak", n) % {"n": n})
    return " + ".join(parts)


def _threshold_met(dim: dict, rule: dict | None) -> dict | None:
    """The threshold a stored dimension met: stored since the "why" became display-time, and
    recomputed from the counts for results saved before."""
    if dim.get("met"):
        return dim["met"]
    counts = {k: int(dim.get(k) or 0) for k in STRENGTHS}
    thresholds = (rule or {}).get("thresholds", DEFAULT_THRESHOLDS)
    return next((t for t in thresholds if _meets(counts, t)), None)


def explain(result: dict, *, rule: dict | None = None,
            labels: dict[str, str] | None = None) -> dict:
    """The "why" of a stored result, in the reader's language, from its codes and numbers:
    a line per dimension and the requirement groups not met."""
    labels = labels or {}

    def label(dim_id: str, fallback: str = "") -> str:
        return dimension_label(dim_id, labels.get(dim_id) or fallback)

    lines = []
    for dim in result.get("dimensions", []):
        counts = {k: int(dim.get(k) or 0) for k in STRENGTHS}
        if dim.get("positive"):
            met = _threshold_met(dim, rule)
            why = (_("positive: %(threshold)s present") % {"threshold": _describe_threshold(met)}
                   if met else _("positive"))
        else:
            why = _("not positive: %(strong)s strong, %(medium)s medium, %(weak)s weak "
                    "present") % counts
        lines.append({"id": dim.get("id"), "label": label(dim.get("id", ""), dim.get("label", "")),
                      "positive": bool(dim.get("positive")), "why": why})
    groups = result.get("missing_groups")
    if groups is None:  # results saved before the groups were stored
        groups = [g.split(" or ") for g in result.get("missing", [])]
    missing = [_("none of these is positive: %(dims)s") % {"dims": ", ".join(label(d)
                                                                             for d in group)}
               for group in groups]
    return {"dimensions": lines, "missing": missing,
            "rule_for": _("child rules") if result.get("rule_for") == "child"
            else _("adult rules")}


def validate_rule(rule, dimension_ids: set[str] | None = None, *, strict: bool = True) -> list[str]:
    """Problems with a machine-readable combination rule, each naming where it is. A rule that
    passes cannot fail at assessment time. With `dimension_ids`, a group naming none of the set's
    dimensions could never be met; `strict` (a rule the file brought) also refuses any unknown
    dimension id, which is most likely a typo."""
    where = "combination_rule.machine"
    if not isinstance(rule, dict):
        return [_("%(where)s must be an object with \"adult\" and \"child\".")
                % {"where": where}]
    problems: list[str] = []
    thresholds = rule.get("thresholds", DEFAULT_THRESHOLDS)
    if not isinstance(thresholds, list) or not thresholds:
        problems.append(_("%(where)s.thresholds must be a non-empty list.")
                        % {"where": where})
        thresholds = []
    for n, threshold in enumerate(thresholds, start=1):
        here = f"{where}.thresholds[{n}]"
        if not isinstance(threshold, dict) or not threshold:
            problems.append(_("%(where)s must be an object such as {\"strong\": 2}.")
                            % {"where": here})
            continue
        unknown = sorted(set(threshold) - set(THRESHOLD_KEYS))
        if unknown:
            problems.append(_("%(where)s: unknown key(s) %(keys)s; use strong, medium, weak or "
                              "medium_or_weak.") % {"where": here, "keys": ", ".join(unknown)})
        values = [v for k, v in threshold.items() if k in THRESHOLD_KEYS]
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in values) \
                or not any(isinstance(v, int) and v > 0 for v in values):
            problems.append(_("%(where)s: counts must be whole numbers, at least one above 0.")
                            % {"where": here})
    for who in ("adult", "child"):
        here = f"{where}.{who}"
        combination = rule.get(who)
        groups = combination.get("all_of") if isinstance(combination, dict) else None
        if not isinstance(groups, list) or not groups:
            problems.append(_("%(where)s needs \"all_of\": a non-empty list of groups.")
                            % {"where": here})
            continue
        for n, group in enumerate(groups, start=1):
            g_here = f"{here}.all_of[{n}]"
            any_of = group.get("any_of") if isinstance(group, dict) else None
            if not isinstance(any_of, list) or not any_of or \
                    not all(isinstance(d, str) and d for d in any_of):
                problems.append(_("%(where)s needs \"any_of\": a non-empty list of dimension "
                                  "ids.") % {"where": g_here})
            elif dimension_ids is not None and (unknown := [d for d in any_of
                                                            if d not in dimension_ids]) and \
                    (strict or len(unknown) == len(any_of)):
                problems.append(_("%(where)s names dimension(s) the set does not have: "
                                  "%(ids)s.") % {"where": g_here, "ids": ", ".join(unknown)})
    return problems


def validate_set(data: dict) -> list[str]:
    """Problems with an imported indicator set, each naming where it is."""
    problems = []
    if not isinstance(data, dict) or not data.get("id") or \
            not isinstance(data.get("dimensions"), list) or not data["dimensions"]:
        return [_("The set needs an id and a list of dimensions.")]
    if not isinstance(data["id"], str) or not _SET_CODE.match(data["id"]):
        return [_("The set id %(id)r must be up to 60 letters, digits, dots, dashes or "
                  "underscores.") % {"id": data["id"]}]
    if not isinstance(data.get("label", ""), str) or len(data.get("label", "")) > 200:
        problems.append(_("The label must be text of up to 200 characters."))
    if not isinstance(data.get("provenance", ""), str):
        problems.append(_("The provenance must be text."))
    seen: set[str] = set()
    dim_ids: set[str] = set()
    for d_index, dim in enumerate(data["dimensions"], start=1):
        if not isinstance(dim, dict) or not isinstance(dim.get("indicators"), list):
            problems.append(_("Dimension %(n)s needs an id and a list of indicators.")
                            % {"n": d_index})
            continue
        if not dim.get("id") or not isinstance(dim["id"], str):
            problems.append(_("Dimension %(n)s: no id.") % {"n": d_index})
        elif dim["id"] in dim_ids:
            problems.append(_("Dimension %(n)s: id %(id)s is used twice.")
                            % {"n": d_index, "id": dim["id"]})
        else:
            dim_ids.add(dim["id"])
        if not isinstance(dim.get("label", ""), str):
            problems.append(_("Dimension %(n)s: the label must be text.") % {"n": d_index})
        for i_index, ind in enumerate(dim["indicators"], start=1):
            where = _("Dimension %(dim)s, indicator %(n)s") % {"dim": dim.get("id", d_index),
                                                               "n": i_index}
            if not isinstance(ind, dict):
                problems.append(_("%(where)s: needs an id and a text.") % {"where": where})
                continue
            if not isinstance(ind.get("id"), str) or not ind.get("id") or \
                    not isinstance(ind.get("text"), str) or not ind["text"].strip():
                problems.append(_("%(where)s: needs an id and a text.") % {"where": where})
            elif ind["id"] in seen:
                problems.append(_("%(where)s: id %(id)s is used twice.")
                                % {"where": where, "id": ind["id"]})
            else:
                seen.add(ind["id"])
            if ind.get("strength") not in STRENGTHS:
                problems.append(_("%(where)s: strength must be strong, medium or weak.")
                                % {"where": where})
    return problems
