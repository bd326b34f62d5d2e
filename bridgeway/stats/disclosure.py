"""Statistical disclosure control of published counts: small-cell suppression combined with
random rounding to base 5 driven by cell keys (see "Suppression that holds" in docs/stats.md).

Every record has a key, a pseudo-random integer 0..255 (`record_keys`, keyed by a secret so no
one can compute it). A cell's key is the sum of its records' keys modulo 256; counts and keys
add up, so a cell's key is known from pre-computed (count, key sum) pairs without reading the
records. A published count is

- 0 when no record is in the cell (structural zeros are not protected),
- "<k" from 1 to k - 1 (small-cell suppression),
- otherwise rounded to a multiple of 5 at random, up with probability r/5 where r is the
  remainder (unbiased), the draw being the cell key: the same records always give the same
  published count, whichever view, filter or chart they are reached through, so repeating or
  rephrasing a query cannot average the rounding away.

Totals are cells too (rounded independently of the cells they add up), so a suppressed cell
cannot be worked out by subtracting the shown cells from the shown total: each shown number may
be up to 4 away from the true one. This is the cell key method of the Australian Bureau of
Statistics (TableBuilder) with unbiased random rounding to base 5 as its perturbation table, the
approach Statistics New Zealand and ONS also use for flexible tables.
"""

from __future__ import annotations

import hashlib
import hmac
import math

import numpy as np
from django.conf import settings

BASE = 5
KEY_SPACE = 256

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _secret() -> bytes:
    secret = settings.SECRET_KEY
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def _seed(scope: str) -> np.uint64:
    digest = hmac.new(_secret(), f"bridgeway.stats.record-key|{scope}".encode(),
                      hashlib.sha256).digest()
    return np.uint64(int.from_bytes(digest[:8], "big"))


def record_keys(scope: str, positions) -> np.ndarray:
    """Keys 0..255 of the records at `positions` (integers) of `scope` (a dataset): a
    secret-seeded 64-bit mixing function (SplitMix64's finaliser), so the same position of the
    same scope always has the same key and neighbours look unrelated. Vectorised: a million
    keys in milliseconds."""
    x = np.asarray(positions, dtype=np.int64).astype(np.uint64) ^ _seed(scope)
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(56)).astype(np.uint8)


def identity_key(*parts) -> int:
    """A key 0..255 from an identity (HMAC-SHA256 under the secret): a live record's from its
    case, so refreshing the same cases keeps the keys; a cell's that does not come from
    StatRecord (e.g. referral outcomes) from its name and count, so the same view always shows
    the same number."""
    message = "|".join(map(str, ("bridgeway.stats.identity-key", *parts))).encode()
    return hmac.new(_secret(), message, hashlib.sha256).digest()[0]


def rounded(n: int, cell_key: int, base: int = BASE) -> int:
    """Unbiased random rounding of n to a multiple of `base`, the draw fixed by the cell key."""
    r = n % base
    if r == 0:
        return n
    u = ((cell_key % KEY_SPACE) + 0.5) / KEY_SPACE
    return n - r + base if u < r / base else n - r


def protect(n: int, key_sum: int, k: int) -> int | str:
    """What a protected table shows for a cell of n records whose keys add up to key_sum."""
    if k <= 0:
        return n
    if n <= 0:
        return 0
    if n < k:
        return f"<{k}"
    return rounded(n, key_sum)


def interval(shown, k: int, base: int = BASE) -> tuple[int, int]:
    """The true counts a shown value can stand for: what anyone can deduce from it alone."""
    if isinstance(shown, str):
        return 1, k - 1
    if shown == 0:
        return 0, 0
    return max(shown - base + 1, k), shown + base - 1


# --- the audit: no suppressed cell may be worked out from the numbers shown beside it -------------
#
# Rounding alone leaves a rare case: when the total was rounded one way and every other cell of
# its table the other way, as far as they go, subtraction can leave a suppressed cell a single
# possible value. After rounding, the audit computes what an outsider can deduce about each
# suppressed cell from every shown number (each true count lies within `interval` of what is
# shown; cells add up to their margins) and, where only one value is left, rounds a shown cell
# the other way (its other unbiased rounding), choosing the change that leaves fewest such
# cells; if none helps, the table's cells are withheld.


class Cell:
    """A published count: its true value, its cell key and what is shown."""

    __slots__ = ("flipped", "key", "n", "shown")

    def __init__(self, n: int, key: int, k: int) -> None:
        self.n, self.key, self.flipped = n, key, False
        self.shown = protect(n, key, k)

    def flippable(self, k: int) -> bool:
        return not self.flipped and self.n >= k and self.n % BASE != 0

    def flip(self) -> None:
        low = self.n - self.n % BASE
        self.shown = low + BASE if self.shown == low else low
        self.flipped = not self.flipped


def _box(cell: Cell, k: int) -> tuple[int, int]:
    return interval(cell.shown, k)


def partition_ranges(total: Cell, charts: list[tuple[list[Cell], int]],
                     k: int) -> dict[int, tuple[int, int]]:
    """What can be deduced about each suppressed cell (by `id`) when several one-way tables
    each split the same total (their cells plus `blank`, the records the table does not show,
    taken as known to the outsider: the worst case). Exact for this system of equations: the
    total must fit every table, and a cell is what its table's total leaves for it."""
    t_lo, t_hi = _box(total, k)
    sums = []
    for cells, blank in charts:
        lo = sum(_box(c, k)[0] for c in cells) + blank
        hi = sum(_box(c, k)[1] for c in cells) + blank
        sums.append((lo, hi))
        t_lo, t_hi = max(t_lo, lo), min(t_hi, hi)
    out = {}
    if isinstance(total.shown, str):
        out[id(total)] = (max(t_lo, 1), min(t_hi, k - 1))
    for (cells, _blank), (lo_sum, hi_sum) in zip(charts, sums, strict=True):
        # (The sums include the table's blank records.)
        for c in cells:
            if isinstance(c.shown, str):
                c_lo, c_hi = _box(c, k)
                out[id(c)] = (max(t_lo - (hi_sum - c_hi), 1), min(t_hi - (lo_sum - c_lo), k - 1))
    return out


def secure(cells: list[Cell], ranges, k: int, min_values: int = 2,
           near=None) -> list[Cell]:
    """Changes the rounding of shown cells until every suppressed cell has at least
    `min_values` possible values by `ranges(cells)` ({id(cell): (low, high)}); returns the
    suppressed cells it could not protect so (the caller withholds their tables). `near`, if
    given, names the cells worth trying for the exposed ones (by id); otherwise every cell."""

    def exposed() -> list[int]:
        return [i for i, (lo, hi) in ranges().items() if hi - lo + 1 < min_values]

    left = exposed()
    while left:
        best, best_left = None, left
        for cell in (cells if near is None else near(left)):
            if cell.flippable(k):
                cell.flip()
                now = exposed()
                cell.flip()
                cell.flipped = False
                if len(now) < len(best_left):
                    best, best_left = cell, now
        if best is None:
            break
        best.flip()
        left = best_left
    by_id = {id(c): c for c in cells}
    return [by_id[i] for i in left if i in by_id]


# --- the audit of two-way (and wider) tables with their margins ------------------------------------
#
# A cross-tab is a table whose cells add up along rows and along columns. An outsider who knows
# the margins (the row and column totals, as other views of the same records show them, rounded
# by their own cell keys; the grand total, possibly exactly) can combine subtractions along rows
# and columns. What can be deduced about a suppressed cell is then the least and the greatest
# value it takes over every table consistent with all that is shown: two linear programs per
# suppressed cell. For a two-way table the sums form two laminar families (rows with the grand
# total, and columns), so the system is totally unimodular and those bounds are exact integers.


Margin = Cell | tuple[int, int]


def _program(cells: list[Cell], sums: list[tuple[list[int], Margin]], k: int):
    """Bounds of every cell and the sums as sparse inequalities A x <= b."""
    from scipy.sparse import csr_matrix

    rows, cols, b = [], [], []
    for j, (members, margin) in enumerate(sums):
        lo, hi = _box(margin, k) if isinstance(margin, Cell) else margin
        rows += [2 * j] * len(members) + [2 * j + 1] * len(members)
        cols += members + members
        b += [hi, -lo]
    data = [1 if r % 2 == 0 else -1 for r in rows]
    a = csr_matrix((data, (rows, cols)), shape=(2 * len(sums), len(cells))) if sums else None
    return [_box(c, k) for c in cells], a, (b or None)


def _solve(program, objective):
    from scipy.optimize import linprog

    bounds, a, b = program
    result = linprog(objective, A_ub=a, b_ub=b, bounds=bounds, method="highs")
    return result.x if result.status == 0 else None


def _cell_range(program, i: int, size: int) -> tuple[int, int]:
    ends = []
    for sign in (1, -1):
        objective = [0.0] * size
        objective[i] = sign
        x = _solve(program, objective)
        if x is None:  # nothing shown is consistent: tell nothing apart
            return program[0][i]
        ends.append(x[i])
    return math.ceil(ends[0] - 1e-6), math.floor(ends[1] + 1e-6)


def table_ranges(cells: list[Cell], sums: list[tuple[list[int], Margin]],
                 k: int) -> dict[int, tuple[int, int]]:
    """What can be deduced about each suppressed cell (by `id`) of a table whose `cells` add
    up to margins: each of `sums` is (indices of the cells it adds, the margin: a Cell as shown
    or an exact (low, high) pair). Each true count lies in `interval` of what is shown. The
    range is the least and greatest value over every table consistent with all of it (two
    linear programs per suppressed cell, scipy's HiGHS)."""
    program = _program(cells, sums, k)
    return {id(c): _cell_range(program, i, len(cells))
            for i, c in enumerate(cells) if isinstance(c.shown, str)}


def table_witnesses(cells: list[Cell], sums: list[tuple[list[int], Margin]],
                    k: int) -> dict[int, tuple[int, int]]:
    """Like `table_ranges`, but only as far as the audit needs, in a few programs for the
    whole table: values each suppressed cell is shown to be able to take (its true count, and
    another from a table consistent with everything shown). The programs push the sum of the
    cells not yet shown to have two values up, then down (each vertex of a two-way table's
    program is a whole table); a cell neither push moved gets its exact range."""
    program = _program(cells, sums, k)
    pending = [i for i, c in enumerate(cells) if isinstance(c.shown, str)]
    seen = {i: [cells[i].n, cells[i].n] for i in pending}
    for sign in (-1.0, 1.0):
        while pending:
            objective = [0.0] * len(cells)
            for i in pending:
                objective[i] = sign
            x = _solve(program, objective)
            if x is None:
                break
            moved = [i for i in pending if abs(x[i] - cells[i].n) > 1 - 1e-6
                     and abs(x[i] - round(x[i])) < 1e-6]
            for i in moved:
                value = round(x[i])
                seen[i] = [min(seen[i][0], value), max(seen[i][1], value)]
            if not moved:
                break
            pending = [i for i in pending if i not in set(moved)]
    out = {id(cells[i]): (lo, hi) for i, (lo, hi) in seen.items()}
    for i in pending:
        out[id(cells[i])] = _cell_range(program, i, len(cells))
    return out


def neighbours(cells: list[Cell], sums: list[tuple[list[int], Margin]], k: int,
               limit: int = 40):
    """For `secure`: the cells worth changing for some exposed cells, those that share a sum
    with one of them (the smallest sums first), at most `limit`."""
    index = {id(c): i for i, c in enumerate(cells)}

    def near(exposed_ids: list[int]) -> list[Cell]:
        wanted = {index[e] for e in exposed_ids if e in index}
        found: dict[int, None] = {}
        for members, _margin in sorted(sums, key=lambda s: len(s[0])):
            if wanted.intersection(members):
                found.update((i, None) for i in members if cells[i].flippable(k))
        return [cells[i] for i in list(found)[:limit]]

    return near


def two_way_sums(positions: list[tuple], row_margins: dict, column_margins: dict,
                 total) -> list[tuple[list[int], Margin]]:
    """The sums of a two-way table for `table_ranges`: cell i sits at positions[i] = (row,
    column); the margins are given per row and per column value and for the whole table (a
    Cell as shown, an exact (low, high) pair, or None when nothing of it is known)."""
    sums: list[tuple[list[int], Margin]] = []
    for axis, margins in ((0, row_margins), (1, column_margins)):
        for value, margin in margins.items():
            if margin is not None:
                sums.append(([i for i, p in enumerate(positions) if p[axis] == value], margin))
    if total is not None:
        sums.append((list(range(len(positions))), total))
    return sums
