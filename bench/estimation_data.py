"""Synthetic people for the estimation benchmarks: name parts drawn from the FEBRL files'
vocabularies (fictitious values), random dates of birth, and corrupted copies (a typo, a dropped
letter, two swapped digits of the date, a missing place) for the records two lists share."""

from __future__ import annotations

import csv
import random
import string
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
FEBRL = SHARED / "febrl"


def vocabularies() -> dict[str, list[str]]:
    out: dict[str, set[str]] = {"given_name": set(), "surname": set(), "suburb": set()}
    for name in ("dataset1.csv", "dataset2.csv"):
        with open(FEBRL / name, encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader)]
            for row in reader:
                for col in out:
                    value = row[header.index(col)].strip()
                    if value:
                        out[col].add(value)
    return {k: sorted(v) for k, v in out.items()}


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    k = rng.randrange(len(word))
    op = rng.choice("sdit")
    if op == "s":
        return word[:k] + rng.choice(string.ascii_lowercase) + word[k + 1:]
    if op == "d":
        return word[:k] + word[k + 1:]
    if op == "i":
        return word[:k] + rng.choice(string.ascii_lowercase) + word[k:]
    k = min(k, len(word) - 2)
    return word[:k] + word[k + 1] + word[k] + word[k + 2:]


def person(rng: random.Random, vocab) -> dict:
    return {
        "given_names": rng.choice(vocab["given_name"]),
        "surname": rng.choice(vocab["surname"]),
        "date_of_birth": f"{rng.randint(1940, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        "sex": rng.choice("mf"),
        "place_of_birth": rng.choice(vocab["suburb"]),
    }


def corrupt(rng: random.Random, rec: dict) -> dict:
    out = dict(rec)
    for _ in range(rng.choice((0, 1, 1, 2))):
        field = rng.choice(("given_names", "surname", "date_of_birth", "place_of_birth"))
        if field == "date_of_birth":
            d = out[field]
            k = rng.randrange(4, 7)
            out[field] = d[:k] + d[k + 1] + d[k] + d[k + 2:]
        elif field == "place_of_birth" and rng.random() < 0.5:
            out[field] = ""
        else:
            out[field] = _typo(rng, out[field])
    return out


def two_lists(n: int, overlap: float, seed: int = 2026):
    """Lists A and B of n people each; a share `overlap` of B are corrupted copies of A's
    people. Returns (A, B, true pairs as (row of A, row of B))."""
    rng = random.Random(seed)
    vocab = vocabularies()
    a = [person(rng, vocab) for _ in range(n)]
    shared = rng.sample(range(n), int(n * overlap))
    b = [corrupt(rng, a[i]) for i in shared] + [person(rng, vocab) for _ in range(n - len(shared))]
    order = list(range(n))
    rng.shuffle(order)
    b = [b[k] for k in order]
    where = {old: new for new, old in enumerate(order)}
    pairs = {(i, where[k]) for k, i in enumerate(shared)}
    return a, b, pairs
