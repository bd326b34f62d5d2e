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
