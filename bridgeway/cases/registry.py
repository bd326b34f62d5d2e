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


# Other modules add objects whose audit events belong on a case's timeline (e.g. the helpline:
# the contacts linked to the case). `objects(case)` returns their ids (as strings) within the
# case's organisation.
TimelineObjects = Callable[[object], list[str]]
_timeline_objects: list[TimelineObjects] = []


def register_timeline_objects(objects: TimelineObjects) -> TimelineObjects:
    if objects not in _timeline_objects:
        _timeline_objects.append(objects)
    return objects


def timeline_objects() -> list[TimelineObjects]:
    return list(_timeline_objects)


# Other modules move their own rows when a supervisor merges a duplicate case into the kept one
# (e.g. the helpline: the contacts linked to the duplicate). `hook(keep, duplicate)` runs inside
# the merge's transaction.
MergeHook = Callable[[object, object], None]
_merge_hooks: list[MergeHook] = []


def register_merge_hook(hook: MergeHook) -> MergeHook:
    if hook not in _merge_hooks:
        _merge_hooks.append(hook)
    return hook


def merge_hooks() -> list[MergeHook]:
    return list(_merge_hooks)
