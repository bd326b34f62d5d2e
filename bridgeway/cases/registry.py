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


# Other modules add panels to a case's detail page (e.g. referrals: the "Refer" button, the
# status of referrals sent, or the live sections a referral shares with a linked case).
# `panel(request, case)` returns HTML (already rendered and escaped) or "".
DetailPanel = Callable[[object, object], str]
_panels: list[DetailPanel] = []


def register_detail_panel(panel: DetailPanel) -> DetailPanel:
    if panel not in _panels:
        _panels.append(panel)
    return panel


def detail_panels() -> list[DetailPanel]:
    return list(_panels)
