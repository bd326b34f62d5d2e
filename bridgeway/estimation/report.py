"""What the result screens say about a capture-history table besides the estimate: list sizes,
pairwise overlaps, and warnings a reader needs before trusting a number (a sparse table, few
persons). Pure functions over the stored table (lists and pattern counts)."""

from __future__ import annotations

from itertools import combinations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SPARSE_CELL = 5


def list_sizes(table: dict) -> list[dict]:
    lists = table.get("lists", [])
    sizes = [0] * len(lists)
    for row in table.get("rows", []):
        for i, flag in enumerate(row["pattern"]):
            if flag == "1":
                sizes[i] += row["count"]
    return [{**lst, "size": n} for lst, n in zip(lists, sizes, strict=True)]


def overlaps(table: dict) -> list[dict]:
    lists = table.get("lists", [])
    out = []
    for i, j in combinations(range(len(lists)), 2):
        n = sum(r["count"] for r in table.get("rows", [])
                if r["pattern"][i] == "1" and r["pattern"][j] == "1")
        out.append({"a": lists[i]["letter"], "b": lists[j]["letter"], "count": n})
    return out


def observed(table: dict) -> int:
    return sum(r["count"] for r in table.get("rows", []))


def warnings(table: dict) -> list[str]:
    # Lists that share nobody are named by the estimate itself (mse's warnings).
    out = []
    rows = table.get("rows", [])
    small = [r for r in rows if 0 < r["count"] < SPARSE_CELL]
    lists = table.get("lists", [])
    possible = 2 ** len(lists) - 1 if lists else 0
    missing = possible - len([r for r in rows if r["count"] > 0])
    if small or missing:
        out.append(_("The table is sparse: %(small)d of the %(possible)d possible patterns have "
                     "fewer than %(k)d persons and %(missing)d were never seen. Estimates from "
                     "sparse tables move a lot between models; read the comparison below.")
                   % {"small": len(small), "possible": possible, "k": SPARSE_CELL,
                      "missing": missing})
    if observed(table) < 50:
        out.append(_("Fewer than 50 persons were observed in all: any estimate is very "
                     "uncertain."))
    return out


COMPARISON_LABELS = {
    "given_names": gettext_lazy("First name"), "surname": gettext_lazy("Second name"),
    "date_of_birth": gettext_lazy("Date of birth"), "sex": gettext_lazy("Sex"),
    "place_of_birth": gettext_lazy("Place of birth"),
    "prior": gettext_lazy("How often two persons of the organisation are the same at all"),
}


def explanation_rows(explanation: list[dict]) -> list[dict]:
    """A candidate pair's match weights in words: which field, how strongly it says "same
    person" (positive) or "different persons" (negative)."""
    rows = []
    for item in explanation:
        weight = float(item.get("weight", 0.0))
        if item.get("comparison") == "prior":
            reading = _("the starting point before any field is compared")
        elif weight >= 3:
            reading = _("strong evidence for the same person")
        elif weight > 0.5:
            reading = _("some evidence for the same person")
        elif weight > -0.5:
            reading = _("says little either way (missing or common)")
        elif weight > -3:
            reading = _("some evidence against")
        else:
            reading = _("strong evidence against")
        code = str(item.get("comparison", ""))
        rows.append({"label": COMPARISON_LABELS.get(code, code),
                     "reading": reading, "weight": weight})
    return rows
