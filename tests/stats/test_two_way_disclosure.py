"""Issue 16, item 4, for two-way tables: no suppressed cell of a cross-tab can be worked out by
subtraction from its rows, its columns and the grand total (the margins as other views of the same
records show them, rounded, or exactly: the worst case)."""

import math

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bridgeway.stats import disclosure
from bridgeway.stats.models import Release, StatRecord

K = 11


def _key(n: int, up: bool) -> int:
    """A cell key that rounds n up (or down), where n is not a multiple of 5."""
    return next((key for key in range(256) if (disclosure.rounded(n, key) > n) == up), 0)


# --- an outsider's attack, written independently of the audit --------------------------------------

def _by_subtraction(cells, sums) -> list[tuple[float, float]]:
    """What subtraction along rows, columns and the grand total tells about every cell: start from
    what each shown number means alone (a suppressed cell 1..k-1, a rounded one within 4 of what is
    shown and at least k) and tighten each cell by "its margin minus the others", over and over,
    until nothing changes."""
    box = []
    for c in cells:
        if isinstance(c.shown, str):
            box.append([1, K - 1])
        elif c.shown == 0:
            box.append([0, 0])
        else:
            box.append([max(c.shown - 4, K), c.shown + 4])
    margins = []
    for members, margin in sums:
        if isinstance(margin, disclosure.Cell):
            shown = margin.shown
            margin = ((1, K - 1) if isinstance(shown, str) else (0, 0) if shown == 0
                      else (max(shown - 4, K), shown + 4))
        margins.append((members, margin))
    changed = True
    while changed:
        changed = False
        for members, (low, high) in margins:
            lows = sum(box[i][0] for i in members)
            highs = sum(box[i][1] for i in members)
            for i in members:
                lo = max(box[i][0], low - (highs - box[i][1]))
                hi = min(box[i][1], high - (lows - box[i][0]))
                if (lo, hi) != tuple(box[i]):
                    box[i] = [lo, hi]
                    changed = True
                    lows = sum(box[j][0] for j in members)
                    highs = sum(box[j][1] for j in members)
    return [tuple(b) for b in box]


def _possible(bounds) -> int:
    lo, hi = bounds
    return max(0, math.floor(hi) - math.ceil(lo) + 1)


def _table(counts, ups, margin_ups, exact_rows, exact_total):
    """Cells (row-major), with the sums of rows, columns and the grand total as an outsider
    knows them: rounded by their own keys (as a dashboard shows the same records) or exact."""
    n_rows, n_cols = len(counts), len(counts[0])
    positions = [(r, c) for r in range(n_rows) for c in range(n_cols)]
    cells = [disclosure.Cell(counts[r][c], _key(counts[r][c], ups[r][c]), K)
             for r, c in positions]
    flags = iter(margin_ups)

    def margin(n, exact):
        return (n, n) if exact else disclosure.Cell(n, _key(n, next(flags)), K)

    rows = {r: margin(sum(counts[r]), exact_rows) for r in range(n_rows)}
    columns = {c: margin(sum(counts[r][c] for r in range(n_rows)), exact_rows)
               for c in range(n_cols)}
    total = margin(sum(map(sum, counts)), exact_total)
    return cells, disclosure.two_way_sums(positions, rows, columns, total)


_SMALL_OR_ANY = st.one_of(st.integers(0, 12), st.integers(0, 60))


@st.composite
def _tables(draw):
    n_rows, n_cols = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    counts = [[draw(_SMALL_OR_ANY) for _ in range(n_cols)] for _ in range(n_rows)]
    ups = [[draw(st.booleans()) for _ in range(n_cols)] for _ in range(n_rows)]
    margin_ups = draw(st.lists(st.booleans(), min_size=n_rows + n_cols + 1,
                               max_size=n_rows + n_cols + 1))
    return counts, ups, margin_ups, draw(st.booleans()), draw(st.booleans())


# Three 11s rounded down beside a 1, the grand total exact: 34 - 3 x 11 leaves 1 (no rounding
# change can help: a shown count is at least 11 whatever its rounding).
_UNFIXABLE = ([[1, 11], [11, 11]], [[False, False], [False, False]], [False] * 5, False, True)
# 16s rounded up to 20 beside a 1, total 49 exact: 49 - 3 x 16 leaves 1 until one is rounded down.
_FIXABLE = ([[1, 16], [16, 16]], [[True, True], [True, True]], [True] * 5, False, True)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(table=_tables())
@example(table=_UNFIXABLE)
@example(table=_FIXABLE)
def test_no_suppressed_cell_of_a_two_way_table_is_recoverable_by_subtraction(table):
    counts, ups, margin_ups, exact_rows, exact_total = table
    cells, sums = _table(counts, ups, margin_ups, exact_rows, exact_total)
    # As a release audits its table: the fast witnesses, the neighbours of an exposed cell.
    left = disclosure.secure(cells, lambda: disclosure.table_witnesses(cells, sums, K), K,
                             near=disclosure.neighbours(cells, sums, K))
    if left:
        return  # withheld (a release is refused): none of its numbers is shown
    ranges = disclosure.table_ranges(cells, sums, K)
    witnesses = disclosure.table_witnesses(cells, sums, K)
    attack = _by_subtraction(cells, sums)
    for cell, found in zip(cells, attack, strict=True):
        if isinstance(cell.shown, str):
            assert found[0] <= cell.n <= found[1]
            assert _possible(found) >= 2, (counts, cell.n, found)
            lo, hi = ranges[id(cell)]
            assert lo <= cell.n <= hi and hi > lo
            seen_lo, seen_hi = witnesses[id(cell)]
            assert lo <= seen_lo <= cell.n <= seen_hi <= hi
        elif cell.shown:
            assert cell.shown % 5 == 0 and abs(cell.shown - cell.n) <= 4


def test_subtraction_gives_a_cell_away_without_the_audit_and_not_with_it():
    cells, sums = _table(*_FIXABLE)
    suppressed = cells[0]
    assert [c.shown for c in cells] == ["<11", 20, 20, 20]
    # Without the audit: 49 - (16 + 16 + 16) = 1, by subtraction alone.
    assert _by_subtraction(cells, sums)[0] == (1, 1)
    assert disclosure.table_ranges(cells, sums, K)[id(suppressed)] == (1, 1)
    assert disclosure.secure(cells, lambda: disclosure.table_ranges(cells, sums, K), K) == []
    assert sorted(c.shown for c in cells[1:]) == [15, 20, 20]  # one rounded the other way
    assert _possible(_by_subtraction(cells, sums)[0]) >= 2
    lo, hi = disclosure.table_ranges(cells, sums, K)[id(suppressed)]
    assert lo <= 1 < hi


def test_an_unfixable_table_is_reported():
    cells, sums = _table(*_UNFIXABLE)
    left = disclosure.secure(cells, lambda: disclosure.table_ranges(cells, sums, K), K)
    assert left == [cells[0]]


# --- the release path ------------------------------------------------------------------------------

def _protected(monkeypatch, audit: bool) -> dict:
    """A sex x year cross-tab of 1, 16, 16, 16 records whose cells and margins all round up, the
    grand total known exactly: published through the release's own protection."""
    from bridgeway.stats import services

    if not audit:
        monkeypatch.setattr(disclosure, "secure", lambda *args, **kwargs: [])
    sizes = [1, 16, 16, 16]
    result = {"dimensions": ["sex", "year"], "steps": [], "suppressed": 1,
              "cells": [{"values": list(v), "count": n if n >= K else None}
                        for v, n in zip([("Female", "2019"), ("Female", "2020"),
                                         ("Male", "2019"), ("Male", "2020")], sizes,
                                        strict=True)]}
    keys = [0, _key(16, True), _key(16, True), _key(16, True)]
    services._protect_cells(result, sizes, keys, None, ["sex", "year"], K)
    return result


def _attack_release(result) -> tuple[int, int]:
    """The outsider's attack on the published cells with the grand total (49) exactly."""
    cells = []
    for c in result["cells"]:
        cell = disclosure.Cell(1, 0, K)
        cell.shown = "<11" if c["count"] is None else c["count"]
        cells.append(cell)
    return _by_subtraction(cells, [([0, 1, 2, 3], (49, 49))])[0]


def test_release_without_the_audit_gives_the_cell_away(monkeypatch):
    """Shows that the release's audit is what protects it: switched off, the cell leaks."""
    assert _attack_release(_protected(monkeypatch, audit=False)) == (1, 1)


def test_release_with_the_audit_keeps_the_cell_hidden(monkeypatch):
    published = _protected(monkeypatch, audit=True)
    assert published["cells"][0]["count"] is None
    assert _possible(_attack_release(published)) >= 2
    assert all(c["count"] is None or c["count"] % 5 == 0 for c in published["cells"])


def test_a_release_that_cannot_be_made_safe_is_refused_naming_its_dimensions(cast, as_user):
    """1 Female in 2019 beside three cells of 11: 34 records (the dataset's size, shown) minus
    three counts of at least 11 leaves 1, whatever the rounding. Refused; nothing saved."""
    from bridgeway.stats.models import Dataset

    org = cast.org_a
    rows = ([("Female", 2019)] + [("Female", 2020)] * 11 + [("Male", 2019)] * 11
            + [("Male", 2020)] * 11)
    ds = Dataset.objects.create(organisation=org, kind="ctdc", label="d", rows=len(rows))
    StatRecord.objects.bulk_create([StatRecord(organisation=org, dataset=ds, gender=g,
                                               year_of_registration=y) for g, y in rows])
    client = as_user(cast.supervisor_a)
    response = client.post(f"/api/v1/organisations/{org.pk}/stats/releases/",
                           {"dataset": ds.pk, "title": "By sex and year", "kind": "crosstab",
                            "dimensions": ["sex", "year"], "k": K},
                           content_type="application/json")
    assert response.status_code == 400, response.content
    message = str(response.json())
    assert "sex × year of registration" in message and "nothing was saved" in message
    assert not Release.objects.filter(dataset=ds).exists()
    # The same records by sex alone: a one-way table is safe (no suppressed cell).
    fine = client.post(f"/api/v1/organisations/{org.pk}/stats/releases/",
                       {"dataset": ds.pk, "title": "By sex", "kind": "crosstab",
                        "dimensions": ["sex"], "k": K}, content_type="application/json")
    assert fine.status_code == 201, fine.content
