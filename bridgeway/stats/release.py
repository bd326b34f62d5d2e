"""Safe-release methods, pure functions over StatRecord values (no database writes).

k-anonymity: every combination of the chosen quasi-identifiers that is published describes at
least k victims. We generalise step by step (age band → broader bands → minor/adult; year →
5-year → 10-year ranges; country → UN M49 sub-region → region), each time the dimension with the
most distinct values, until at most MAX_SUPPRESSED_SHARE of the records sit in groups below k;
the rest is suppressed (extract: rows dropped; cross-tab: cell shown as "<k"). The result is
then checked by an independent implementation, pycanon.

Differential privacy: a histogram over a public category list (the code list, never the
categories found in the data), each victim in one category, so the L1 sensitivity is 1; OpenDP's
Laplace mechanism on integers (discrete Laplace) with scale 1/ε.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from bridgeway.core import labels as words
from bridgeway.stats import codes, m49

MAX_SUPPRESSED_SHARE = 0.05

# Quasi-identifiers one may choose, with the StatRecord field each reads.
DIMENSIONS = {
    "year": "year_of_registration", "sex": "gender", "age": "age_band",
    "citizenship": "citizenship", "country_of_exploitation": "country_of_exploitation",
    "majority": "majority_status",
}
_AGE_L1 = {"0-8": "0-17", "9-17": "0-17", "18-20": "18-29", "21-23": "18-29", "24-26": "18-29",
           "27-29": "18-29", "30-38": "30-47", "39-47": "30-47", "48+": "48+"}
_AGE_L2 = {"0-17": "0-17", "18-29": "18+", "30-47": "18+", "48+": "18+"}


def _year(value, level: int) -> str:
    if value in (None, ""):
        return ""
    if level == 0:
        return str(value)
    width = 5 if level == 1 else 10
    start = int(value) - int(value) % width
    return f"{start}-{start + width - 1}"


def _country(value: str, level: int) -> str:
    if level == 0 or not value:
        return value or ""
    return m49.subregion(value) if level == 1 else m49.region(value)


def generalise(dim: str, value, level: int) -> str:
    if dim == "year":
        return _year(value, level)
    if dim == "age":
        v = value or ""
        if level >= 1:
            v = _AGE_L1.get(v, v)
        if level >= 2:
            v = _AGE_L2.get(v, v)
        return v
    if dim in ("citizenship", "country_of_exploitation"):
        return _country(value, level)
    return "" if value is None else str(value)


MAX_LEVEL = {"year": 2, "age": 2, "citizenship": 2, "country_of_exploitation": 2}
# Marked for translation, stored untranslated (see step_label).
_REGION_STEPS = [gettext_noop("country"), gettext_noop("UN M49 sub-region"),
                 gettext_noop("UN M49 region")]
STEP_NAMES = {"year": [gettext_noop("year"), gettext_noop("5-year range"),
                       gettext_noop("10-year range")],
              "age": [gettext_noop("CTDC age band"), "0-17/18-29/30-47/48+",
                      gettext_noop("minor/adult")],
              "citizenship": _REGION_STEPS,
              "country_of_exploitation": _REGION_STEPS}

# Releases store their steps as "dimension: step" in English (STEP_NAMES), so a saved release
# reads the same in any language; these translate them when shown.
DIMENSION_LABELS = {
    "year": gettext_lazy("year of registration"), "sex": gettext_lazy("sex"),
    "age": gettext_lazy("age band"), "citizenship": gettext_lazy("citizenship"),
    "country_of_exploitation": gettext_lazy("country of exploitation"),
    "majority": gettext_lazy("minor or adult"),
}


# The code set (core.labels) of each dimension whose values are codes: a release's table shows
# their words in the reader's language; the CSV keeps the codes.
DIMENSION_CODES = {"sex": "stats.gender", "majority": "stats.majority",
                   "citizenship": "country", "country_of_exploitation": "country"}


def dimension_label(dim: str) -> str:
    return str(DIMENSION_LABELS.get(dim, dim))


def value_label(dim: str, value: object) -> object:
    """A value of dimension `dim` as a reader sees it (a code's word; anything else as it is)."""
    kind = DIMENSION_CODES.get(dim)
    return words.label(value, kind) if kind and isinstance(value, str) else value


def step_label(step: str) -> str:
    """A stored step ("citizenship: UN M49 sub-region") in the reader's language."""
    dim, _sep, name = step.partition(": ")
    return _("%(dimension)s: %(step)s") % {"dimension": dimension_label(dim),
                                          "step": _(name) if name else name}


# What each generalisation step means, as a sentence a reader of the release understands; only
# the last step of a dimension is what the table shows.
_STEP_SENTENCES = {
    ("year", "5-year range"): gettext_lazy("Years of registration are grouped into 5-year "
                                           "ranges."),
    ("year", "10-year range"): gettext_lazy("Years of registration are grouped into 10-year "
                                            "ranges."),
    ("age", "0-17/18-29/30-47/48+"): gettext_lazy("Ages are grouped into 0–17, 18–29, 30–47 "
                                                  "and 48 or over."),
    ("age", "minor/adult"): gettext_lazy("Ages are shown only as minor or adult."),
    ("citizenship", "UN M49 sub-region"): gettext_lazy(
        "Citizenship is shown by region of the world (UN M49 sub-region), not by country."),
    ("citizenship", "UN M49 region"): gettext_lazy(
        "Citizenship is shown by continent (UN M49 region), not by country."),
    ("country_of_exploitation", "UN M49 sub-region"): gettext_lazy(
        "The country of exploitation is shown by region of the world (UN M49 sub-region)."),
    ("country_of_exploitation", "UN M49 region"): gettext_lazy(
        "The country of exploitation is shown by continent (UN M49 region)."),
}


def generalisation_sentences(steps: list[str]) -> list[str]:
    """The stored steps ("year: 5-year range", "year: 10-year range") as what the table
    shows, one sentence per dimension: "Years of registration are grouped into 10-year
    ranges." A step without a sentence reads as its label."""
    last: dict[str, str] = {}
    for step in steps:
        dim, _sep, name = step.partition(": ")
        last.pop(dim, None)  # keeps the order in which dimensions were last generalised
        last[dim] = name
    sentences = []
    for dim, name in last.items():
        sentence = _STEP_SENTENCES.get((dim, name))
        sentences.append(str(sentence) if sentence else step_label(f"{dim}: {name}"))
    return sentences


def protection_sentence(kind: str, k: int, checked: int | None, suppressed: int) -> str:
    """How a k-anonymous release protects the people in it, in a sentence."""
    if kind == "extract":
        text = _("Every combination of values in the table describes at least %(k)s "
                 "victims; %(n)s records in smaller groups were left out.") % {
            "k": k, "n": suppressed}
    else:
        text = _("Every count shown describes at least %(k)s victims; %(n)s smaller counts "
                 "are hidden (shown as “<%(k)s”).") % {"k": k, "n": suppressed}
    if checked is not None:
        text += " " + _("An independent check (pycanon) found that the smallest group "
                        "published describes %(checked)s victims.") % {"checked": checked}
    return text


def _table(raw: list[dict], dims: list[str], levels: dict[str, int]) -> list[tuple]:
    return [tuple(generalise(d, r[DIMENSIONS[d]], levels.get(d, 0)) for d in dims) for r in raw]


def _generalised_sizes(groups: Counter, dims: list[str], levels: dict[str, int]) -> Counter:
    sizes: Counter = Counter()
    for combo, n in groups.items():
        sizes[tuple(generalise(d, v, levels.get(d, 0)) for d, v in zip(dims, combo, strict=True))] += n
    return sizes


def _choose_levels(groups: Counter, dims: list[str], k: int) -> tuple[dict, list, Counter]:
    """The generalisation loop, over the number of records per combination of raw values (the
    result depends only on those counts, so it is the same whether they were counted in Python
    or by the database)."""
    total = sum(groups.values())
    levels = {d: 0 for d in dims}
    steps: list[str] = []
    while True:
        sizes = _generalised_sizes(groups, dims, levels)
        small = sum(n for n in sizes.values() if n < k)
        if small <= MAX_SUPPRESSED_SHARE * total:
            break
        open_dims = [d for d in dims if levels[d] < MAX_LEVEL.get(d, 0)]
        if not open_dims:
            break
        distinct = {d: len({combo[dims.index(d)] for combo in sizes}) for d in open_dims}
        pick = max(open_dims, key=lambda d: (distinct[d], d))
        levels[pick] += 1
        steps.append(f"{pick}: {STEP_NAMES[pick][levels[pick]]}")
    return levels, steps, sizes


def raw_counts(raw: list[dict], dims: list[str]) -> Counter:
    return Counter(tuple(r[DIMENSIONS[d]] for d in dims) for r in raw)


def k_anonymise(raw: list[dict], dims: list[str], k: int) -> dict:
    """Returns the generalised rows that survive, the levels and the steps applied, and how
    many records were suppressed."""
    levels, steps, sizes = _choose_levels(raw_counts(raw, dims), dims, k)
    rows = _table(raw, dims, levels)
    kept = [row for row in rows if sizes[row] >= k]
    return {"rows": kept, "levels": levels, "steps": steps, "suppressed": len(rows) - len(kept),
            "sizes": sizes}


def _crosstab_result(dims: list[str], k: int, steps: list[str], sizes: Counter) -> dict:
    cells = [{"values": list(combo), "count": n if n >= k else None}
             for combo, n in sorted(sizes.items())]
    return {"dimensions": dims, "cells": cells, "steps": steps,
            "suppressed": sum(1 for c in cells if c["count"] is None)}


def crosstab(raw: list[dict], dims: list[str], k: int) -> dict:
    """Counts per combination after generalisation; a cell of 1..k-1 is published as null
    (shown "<k"). Combinations with no record are not listed."""
    return crosstab_counts(raw_counts(raw, dims), dims, k)


def crosstab_counts(groups, dims: list[str], k: int) -> dict:
    """The same cross-tab from the number of records per combination of raw values (in the
    order of `dims`), e.g. as a GROUP BY in the database returns them."""
    _levels, steps, sizes = _choose_levels(Counter(dict(groups)), dims, k)
    return _crosstab_result(dims, k, steps, sizes)


def extract(raw: list[dict], dims: list[str], k: int) -> dict:
    done = k_anonymise(raw, dims, k)
    return {"dimensions": dims, "rows": [list(r) for r in sorted(done["rows"])],
            "steps": done["steps"], "suppressed": done["suppressed"]}


def pycanon_k(rows: list[list], dims: list[str]) -> int | None:
    """k of a table as pycanon computes it: an implementation independent of ours."""
    import pandas as pd
    from pycanon import anonymity

    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=dims).astype(str)
    return int(anonymity.k_anonymity(frame, dims))


def pycanon_k_crosstab(result: dict, dims: list[str]) -> int | None:
    """pycanon's k of the records a published cross-tab describes (suppressed cells left out):
    one row per record, as `crosstab_rows` gives them, but built column by column with
    `np.repeat` instead of one Python list per record. pycanon still groups every record."""
    import numpy as np
    import pandas as pd
    from pycanon import anonymity

    kept = [c for c in result["cells"] if c["count"]]
    if not kept:
        return None
    counts = np.array([c["count"] for c in kept], dtype=np.int64)
    frame = pd.DataFrame({i: np.repeat(np.array([str(c["values"][i]) for c in kept],
                                                dtype=object), counts)
                          for i in range(len(dims))})
    frame.columns = dims
    return int(anonymity.k_anonymity(frame, dims))


def crosstab_rows(result: dict) -> list[list]:
    """The records a published cross-tab describes (suppressed cells left out), for checking."""
    return [list(c["values"]) for c in result["cells"] if c["count"] for _n in range(c["count"])]


# --- differential privacy ---------------------------------------------------------------------

DP_DIMENSIONS = ["year", "sex", "age", "citizenship", "country_of_exploitation"]


def dp_categories(dim: str) -> list[str]:
    """Public category lists: taking them from the data would itself leak."""
    if dim == "year":
        return [str(y) for y in range(1990, datetime.date.today().year + 1)]
    if dim == "sex":
        return list(codes.GENDERS)
    if dim == "age":
        return list(codes.AGE_BANDS)
    return sorted(m49.SUBREGION_OF)


def dp_histogram(raw: list[dict], dim: str, epsilon: float, alpha: float = 0.05) -> dict:
    return dp_histogram_counts(Counter(r[DIMENSIONS[dim]] for r in raw), dim, epsilon, alpha)


def dp_histogram_counts(raw_counts: Counter, dim: str, epsilon: float,
                        alpha: float = 0.05) -> dict:
    """The noisy histogram from the number of records per raw value (e.g. from the column
    store)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    categories = dp_categories(dim)
    counter: Counter = Counter()
    for value, n in raw_counts.items():
        counter[generalise(dim, value, 0)] += n
    # Records outside the list (unknown, or not recorded) fall in one more bin.
    true = [counter.get(c, 0) for c in categories]
    true.append(sum(n for c, n in counter.items() if c not in set(categories)))
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    # Each victim is in one bin: adding or removing one changes the vector by 1 in L1. The
    # smallest scale OpenDP itself certifies for that (about 1/ε; floating point rounds up).
    scale = dp.binary_search_param(lambda s: dp.m.make_laplace(*space, scale=s),
                                   d_in=1, d_out=epsilon)
    meas = dp.m.make_laplace(*space, scale=scale)
    if not meas.check(1, epsilon):
        raise ValueError("scale does not give the privacy loss asked for")
    noisy = [max(0, int(v)) for v in meas(true)]
    accuracy = dp.discrete_laplacian_scale_to_accuracy(scale=scale, alpha=alpha)
    return {"dimension": dim, "categories": [*categories, "other"], "counts": noisy,
            "epsilon": epsilon, "scale": scale, "alpha": alpha, "accuracy": accuracy,
            "mechanism": "OpenDP make_laplace (discrete Laplace), L1 sensitivity 1"}
