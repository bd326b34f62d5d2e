"""Linkage over encodings only: Dice similarity of packed 1,024-bit CLKs, blocking, one-to-one
assignment and clusters across several lists, and the capture histories MSE needs.

Dice(a, b) = 2 |a AND b| / (|a| + |b|), counted with numpy's popcount (`np.bitwise_count`) on
uint64 words, tile by tile (a tile of 16 x 4,096 pairs stays in the CPU cache): no Python loop
per pair. Past DENSE_LIMIT pairs the candidates come from Hamming LSH (bit sampling, Indyk &
Motwani 1998; used for CLKs by Karapiperis & Verykios 2015 and by anonlink's blocklib): a band is
`band_bits` bit positions drawn at random; two CLKs are compared when they agree on every bit of
at least one band. True matches agree on ~90 % of bits and unrelated CLKs on ~50 %, so a band of
22 bits keeps roughly 0.9^22 = 10 % of matches and 0.5^22 = 2e-7 of non-matches; 60 bands find
99.8 % of the matches (docs/estimation.md has the measured recall).

Pure computation: no Django, no file access.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

WORDS = 16  # 1,024 bits as uint64
DEFAULT_THRESHOLD = 0.7
DENSE_LIMIT = 200_000_000
TILE_ROWS, TILE_COLS = 16, 4096


def as_words(clks: np.ndarray) -> np.ndarray:
    """(n, 128) uint8 (or bytes rows) to a C-contiguous (n, 16) uint64 view."""
    arr = np.ascontiguousarray(np.asarray(clks, dtype=np.uint8))
    if arr.ndim != 2 or arr.shape[1] != WORDS * 8:
        raise ValueError("CLKs are an (n, 128) array of bytes")
    return arr.view(np.uint64)


def popcounts(words: np.ndarray) -> np.ndarray:
    return np.bitwise_count(words).sum(axis=1, dtype=np.int32)


def dice_pairs(a: np.ndarray, b: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Dice of the pairs (a[i[k]], b[j[k]]), in chunks."""
    wa, wb = as_words(a), as_words(b)
    ca, cb = popcounts(wa), popcounts(wb)
    out = np.empty(len(i), dtype=np.float32)
    step = 1 << 20
    for s in range(0, len(i), step):
        ii, jj = i[s:s + step], j[s:s + step]
        inter = np.bitwise_count(wa[ii] & wb[jj]).sum(axis=1, dtype=np.int32)
        denom = ca[ii] + cb[jj]
        out[s:s + step] = np.where(denom > 0, 2 * inter / np.maximum(denom, 1), 0)
    return out


def dice_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All pairs' Dice as a dense (len a, len b) float32 array (small inputs only)."""
    wa, wb = as_words(a), as_words(b)
    ca, cb = popcounts(wa), popcounts(wb)
    inter = np.zeros((len(wa), len(wb)), dtype=np.uint16)
    for w in range(WORDS):
        inter += np.bitwise_count(wa[:, w, None] & wb[None, :, w])
    denom = ca[:, None] + cb[None, :]
    return np.where(denom > 0, 2 * inter / np.maximum(denom, 1), 0).astype(np.float32)


def _dense_rows(wa, bt, ca, cb, half, r0, r1):
    """Pairs of rows r0..r1 of A with every B row at or above the bound. Buffers are reused
    (no allocation per tile); numpy releases the GIL in these loops, so threads run in parallel."""
    rows, cols_n = TILE_ROWS, TILE_COLS
    buf64 = np.empty((rows, cols_n), dtype=np.uint64)
    buf8 = np.empty((rows, cols_n), dtype=np.uint8)
    inter = np.empty((rows, cols_n), dtype=np.uint16)
    out_i, out_j, out_s = [], [], []
    for i0 in range(r0, r1, rows):
        block = wa[i0:min(i0 + rows, r1)]
        h = len(block)
        for j0 in range(0, bt.shape[1], cols_n):
            cols = bt[:, j0:j0 + cols_n]
            w_ = cols.shape[1]
            b64, b8, acc = buf64[:h, :w_], buf8[:h, :w_], inter[:h, :w_]
            np.bitwise_and(block[:, 0, None], cols[None, 0, :], out=b64)
            np.bitwise_count(b64, out=b8)
            acc[...] = b8
            for w in range(1, WORDS):
                np.bitwise_and(block[:, w, None], cols[None, w, :], out=b64)
                np.bitwise_count(b64, out=b8)
                np.add(acc, b8, out=acc)
            # Dice >= t  <=>  |a AND b| >= t/2 (|a| + |b|): no division for the pairs that fail.
            bound = half * ca[i0:i0 + h, None] + half * cb[None, j0:j0 + w_]
            ii, jj = np.nonzero(acc >= bound)
            if ii.size:
                gi, gj = ii + i0, jj + j0
                out_i.append(gi)
                out_j.append(gj)
                out_s.append((2 * acc[ii, jj] / np.maximum(ca[gi] + cb[gj], 1)).astype(np.float32))
    return out_i, out_j, out_s


def dense_candidates(a: np.ndarray, b: np.ndarray, threshold: float, *, workers: int | None = None):
    """(i, j, score) of every pair with Dice >= threshold, comparing all pairs tile by tile, the
    rows of `a` shared among `workers` threads (default: the CPUs, at most 2 — see
    docs/benchmarks.md)."""
    wa, wb = as_words(a), as_words(b)
    ca = popcounts(wa).astype(np.float32)
    cb = popcounts(wb).astype(np.float32)
    bt = np.ascontiguousarray(wb.T)  # (16, nb): one word of every B row side by side
    half = np.float32(threshold / 2)
    workers = workers or min(2, os.cpu_count() or 1)
    if workers > 1 and len(wa) >= 4 * TILE_ROWS:
        step = -(-len(wa) // workers)
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda r0: _dense_rows(wa, bt, ca, cb, half, r0, min(r0 + step, len(wa))),
                                  range(0, len(wa), step)))
    else:
        parts = [_dense_rows(wa, bt, ca, cb, half, 0, len(wa))]
    out_i = [x for part in parts for x in part[0]]
    out_j = [x for part in parts for x in part[1]]
    out_s = [x for part in parts for x in part[2]]
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)


def _band_keys(clks: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The bits at `positions` (at most 32) of every CLK, packed into one uint32 each."""
    raw = np.asarray(clks, dtype=np.uint8)
    bits = (raw[:, positions // 8] >> (7 - positions % 8).astype(np.uint8)) & 1
    padded = np.zeros((len(raw), 32), dtype=np.uint8)
    padded[:, :len(positions)] = bits
    return np.ascontiguousarray(np.packbits(padded, axis=1)).view(">u4")[:, 0]


def lsh_candidates(a: np.ndarray, b: np.ndarray, *, bands: int = 60, band_bits: int = 22,
                   seed: int = 20140901):
    """(i, j) pairs that agree on all bits of at least one band (may repeat across bands)."""
    if not 1 <= band_bits <= 32:
        raise ValueError("band_bits goes from 1 to 32")
    rng = np.random.default_rng(seed)
    out_i, out_j = [], []
    for _ in range(bands):
        positions = rng.choice(WORDS * 64, size=band_bits, replace=False)
        ka, kb = _band_keys(a, positions), _band_keys(b, positions)
        oa, ob = np.argsort(ka, kind="stable"), np.argsort(kb, kind="stable")
        ua, sa, na = np.unique(ka[oa], return_index=True, return_counts=True)
        ub, sb, nb = np.unique(kb[ob], return_index=True, return_counts=True)
        common, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
        if not common.size:
            continue
        start_a, cnt_a, start_b, cnt_b = sa[ia], na[ia], sb[ib], nb[ib]
        sizes = cnt_a * cnt_b
        group = np.repeat(np.arange(common.size), sizes)
        offset = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        out_i.append(oa[start_a[group] + offset // cnt_b[group]])
        out_j.append(ob[start_b[group] + offset % cnt_b[group]])
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)


def candidates(a: np.ndarray, b: np.ndarray, threshold: float, *, blocking: str = "auto", **lsh):
    """(i, j, score) of the pairs at or above threshold: every pair when that is cheap (or
    blocking="none"), else the LSH candidates (blocking="lsh")."""
    if blocking == "none" or (blocking == "auto" and len(a) * len(b) <= DENSE_LIMIT):
        return dense_candidates(a, b, threshold)
    ci, cj = lsh_candidates(a, b, **lsh)
    scores = dice_pairs(a, b, ci, cj)
    keep = scores >= threshold
    ci, cj, scores = ci[keep], cj[keep], scores[keep]
    _, first = np.unique(ci.astype(np.int64) * max(len(b), 1) + cj, return_index=True)
    return ci[first], cj[first], scores[first]


def greedy_one_to_one(i: np.ndarray, j: np.ndarray, scores: np.ndarray) -> list[tuple[int, int, float]]:
    """Best pair first; a row on either side is used once. Ties broken by (i, j) so the result
    does not depend on the order the candidates came in."""
    order = np.lexsort((j, i, -scores))
    used_a, used_b, out = set(), set(), []
    for k in order:
        x, y = int(i[k]), int(j[k])
        if x in used_a or y in used_b:
            continue
        used_a.add(x)
        used_b.add(y)
        out.append((x, y, float(scores[k])))
    return out


def match(a: np.ndarray, b: np.ndarray, threshold: float = DEFAULT_THRESHOLD, *,
          blocking: str = "auto", **lsh) -> list[tuple[int, int, float]]:
    """One-to-one matches (row of a, row of b, Dice) with Dice >= threshold, best first."""
    if not len(a) or not len(b):
        return []
    return greedy_one_to_one(*candidates(a, b, threshold, blocking=blocking, **lsh))


def link_many(lists: Sequence[np.ndarray], threshold: float = DEFAULT_THRESHOLD, *,
              blocking: str = "auto", **lsh) -> list[list[tuple[int, int]]]:
    """Clusters of records across lists, each a sorted list of (list index, row), at most one
    row per list; every record is in exactly one cluster (singletons included).

    The pairwise one-to-one matches of every two lists are merged best score first; two
    clusters are joined only when they share no list (so A1-B1 and B1-C1 join, but a B row
    that already matched another A row's cluster does not pull a second A row in)."""
    edges = []
    for x in range(len(lists)):
        for y in range(x + 1, len(lists)):
            for i, j, s in match(lists[x], lists[y], threshold, blocking=blocking, **lsh):
                edges.append((-s, x, i, y, j))
    edges.sort()
    parent: dict[tuple[int, int], tuple[int, int]] = {}
    members: dict[tuple[int, int], set[int]] = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for _s, x, i, y, j in edges:
        ra, rb = find((x, i)), find((y, j))
        if ra == rb:
            continue
        la, lb = members.get(ra, {ra[0]}), members.get(rb, {rb[0]})
        if la & lb:
            continue
        parent[rb] = ra
        members[ra] = la | lb
        members.pop(rb, None)
    clusters: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for x, arr in enumerate(lists):
        for i in range(len(arr)):
            clusters.setdefault(find((x, i)), []).append((x, i))
    return sorted((sorted(c) for c in clusters.values()), key=lambda c: c[0])


def link_clusters_from_pairs(sizes: Sequence[int], pairs) -> list[list[tuple[int, int]]]:
    """Clusters from one-to-one pairs (list x, row i, list y, row j, score) plus singletons."""
    paired = {}
    for x, i, y, j, _s in pairs:
        paired[(x, i)] = (y, j)
        paired[(y, j)] = (x, i)
    clusters, seen = [], set()
    for x, size in enumerate(sizes):
        for i in range(size):
            if (x, i) in seen:
                continue
            cluster = [(x, i)]
            if (x, i) in paired:
                cluster.append(paired[(x, i)])
            seen.update(cluster)
            clusters.append(sorted(cluster))
    return clusters


def capture_histories(sizes: Sequence[int], clusters) -> dict[tuple[int, ...], int]:
    """How many people have each pattern of lists (1 = on that list), from clusters of
    (list index, row). Records of a list that no cluster holds count as seen on that list only,
    so the counts of each list add up to `sizes`."""
    t = len(sizes)
    counts: dict[tuple[int, ...], int] = {}
    seen = [0] * t
    for cluster in clusters:
        pattern = [0] * t
        for x, _row in cluster:
            pattern[x] = 1
            seen[x] += 1
        key = tuple(pattern)
        if any(key):
            counts[key] = counts.get(key, 0) + 1
    for x in range(t):
        if seen[x] > sizes[x]:
            raise ValueError("clusters hold more records of a list than it has")
        if seen[x] < sizes[x]:
            key = tuple(1 if k == x else 0 for k in range(t))
            counts[key] = counts.get(key, 0) + sizes[x] - seen[x]
    return dict(sorted(counts.items(), reverse=True))
