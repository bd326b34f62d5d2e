"""Other modules register checks that can block closing a case (e.g. referrals still open)."""

from collections.abc import Callable

CloseBlocker = Callable[[object], str | None]
_blockers: list[CloseBlocker] = []


def register_close_blocker(check: CloseBlocker) -> CloseBlocker:
    if check not in _blockers:
        _blockers.append(check)
    return check


def close_blockers() -> list[CloseBlocker]:
    return list(_blockers)
