"""The two-way audit of a cross-tab release (stats.disclosure.table_witnesses, as
services._audit_crosstab runs it): tables of random counts (a skewed Dirichlet-multinomial, so
many cells are small), margins rounded by key, the grand total exact. Prints the time of one
audit per table size; the exact per-cell ranges (table_ranges) for the smallest, for comparison.

Run: .venv/bin/python bench/bench_two_way_audit.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from bridgeway.stats import disclosure  # noqa: E402

K = 11


def _table(rng, shape, records):
    counts = rng.multinomial(records, rng.dirichlet(np.ones(int(np.prod(shape))) * 0.3))
    counts = counts.reshape(shape)
    where = [t for t in np.ndindex(shape) if counts[t] > 0]
    cells = [disclosure.Cell(int(counts[t]), int(rng.integers(0, 256)), K) for t in where]
    sums = []
    for axis, size in enumerate(shape):
        for value in range(size):
            members = [i for i, t in enumerate(where) if t[axis] == value]
            if members:
                n = sum(cells[i].n for i in members)
                sums.append((members, disclosure.Cell(n, int(rng.integers(0, 256)), K)))
    sums.append((list(range(len(cells))), (records, records)))
    return cells, sums


def main():
    rng = np.random.default_rng(1)
    for shape, records in [((5, 5), 400), ((10, 20), 20_000), ((10, 2, 9, 30), 100_000),
                           ((10, 2, 9, 30), 1_000_000)]:
        cells, sums = _table(rng, shape, records)
        suppressed = sum(isinstance(c.shown, str) for c in cells)
        start = time.perf_counter()
        left = disclosure.secure(cells, lambda c=cells, s=sums: disclosure.table_witnesses(c, s, K),
                                 K, near=disclosure.neighbours(cells, sums, K))
        took = time.perf_counter() - start
        print(f"{'x'.join(map(str, shape)):>12} {records:>9} records {len(cells):>5} cells "
              f"{suppressed:>5} suppressed: audit {took:.2f} s, "
              f"{sum(c.flipped for c in cells)} re-rounded, {len(left)} left")
        if len(cells) <= 200:
            start = time.perf_counter()
            disclosure.table_ranges(cells, sums, K)
            print(f"{'':>12} exact ranges of every suppressed cell: "
                  f"{time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
