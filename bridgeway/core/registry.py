"""What the apps put on core's shared pages. `core` imports no app: each app registers its part
when it loads (in its `hooks` module, imported by its AppConfig.ready), as the apps do in
`protection.registry` and `cases.registry`.

The menu: `@register_menu(position)` on a function `entries(user) -> [(url, label, key), ...]`
that returns only what the user's roles let them open (an empty list for the rest). Entries are
shown by position, then in the order they were registered. Positions taken:

     0 core: Home                      50 civicspace: Civic space
    10 orgs: Directory, Task forces    60 stats: Statistics
    20 cases: Cases                    70 protection: Access log, Retention, Audit log, Keys
    30 referrals: Referrals, their     80 notifications: Notifications
       statistics                      90 accounts: My account
    40 protection: Persons assisted   100 orgs: Add organisation, Platform admin (superusers)
    55 surveys: Surveys                58 funding: Funding

A new app picks a free number between its neighbours (helpline 35, outreach 45, ...).

An entry shown only when a row exists (a survey the person's organisation is invited to) carries
that queryset as a fourth element, `(url, label, key, rows)`: the menu asks it with its counts in
one statement (core.menu) instead of a statement of its own on every page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

MenuItem = tuple[str, str, str]  # (url, label, key: the key marks the current page)
MenuEntries = Callable[[Any], Iterable[MenuItem]]

_menu: list[tuple[int, MenuEntries]] = []


def register_menu(position: int) -> Callable[[MenuEntries], MenuEntries]:
    def register(entries: MenuEntries) -> MenuEntries:
        if all(known is not entries for _p, known in _menu):
            _menu.append((position, entries))
            _menu.sort(key=lambda pair: pair[0])  # stable: registration order within a position
        return entries
    return register


def menu_entries(user: Any) -> list[tuple]:
    """Every entry for `user`, conditions (a fourth element) not yet asked."""
    return [item for _position, entries in _menu for item in entries(user)]


def menu_for(user: Any) -> list[MenuItem]:
    """The entries `user` sees (conditions asked in one statement)."""
    from bridgeway.core.menu import ask_all

    raw = menu_entries(user)
    found = ask_all({str(n): (item[3], 1) for n, item in enumerate(raw) if len(item) > 3})
    return [(url, label, key) for n, (url, label, key, *_c) in enumerate(raw)
            if found.get(str(n), 1)]
