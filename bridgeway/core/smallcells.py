"""The one small-cell rule every published or network-wide count follows.

A count from 1 to k-1 is shown as "<k" (k is the module's threshold, 11 by default for
network views); 0 stays 0, because "nobody" discloses no one, and a larger count is shown as
it is (or rounded by its caller, as `stats.disclosure.protect` does). k = 0 turns the rule off
(an organisation's own figures, seen by itself).
"""

from __future__ import annotations


def shown_count(n: int | None, k: int) -> int | str:
    """What a reader is shown for a count of n people under a threshold of k."""
    n = n or 0
    return f"<{k}" if k and 0 < n < k else n
