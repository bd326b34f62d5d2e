"""The menu of a signed-in person, asked of the database in ONE statement (issue 19).

Every page shows the menu: its entries (some shown only when a row exists, e.g. a survey the
person's organisation is invited to) and its counts (the home queues' counts, the unread
notifications). Asked one by one they were 8-16 statements on every page; each is a round trip,
which on a busy server is most of a small page's time. Here each becomes a scalar subquery of
one SELECT:

    SELECT (SELECT COUNT(*) FROM (<queue A's rows> LIMIT 100) q0),
           (SELECT COUNT(*) FROM (<entry B's condition> LIMIT 1) q1), ...

An app gives querysets, never numbers: a home queue's `count` (core.queues.register_queue), a
menu entry's fourth element (core.registry), or a count shown on a menu entry that is no home
queue (`register_menu_count`). Counts stop at COUNT_CAP + 1 ("99+"). If the statement fails (a
broken queryset) in autocommit, each part is asked on its own, so one broken count cannot take
every page down; the log names the part and the error's type only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.translation import get_language

from bridgeway.core import queues
from bridgeway.core.registry import menu_entries

logger = logging.getLogger("bridgeway.home")

# menu key -> (user) -> queryset or None: a count on a menu entry that is not a home queue
# (the unread notifications).
_menu_counts: dict[str, Callable[[Any], Any]] = {}


def register_menu_count(key: str, count: Callable[[Any], Any]) -> None:
    _menu_counts[key] = count


def _compiled(queryset, cap: int) -> tuple[str, tuple] | None:
    """The SQL of the queryset's first `cap` rows, in no order (None: it can have no row). A
    prepared query (core.prepared) gives its SQL compiled once for its shape."""
    if hasattr(queryset, "compiled"):
        return queryset.compiled(cap)
    try:
        sql, params = queryset.order_by()[:cap].query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def capped_counts(asks: dict[str, tuple[Any, int]]) -> dict[str, int]:
    """{name: (queryset, cap)} -> {name: its rows, counted no further than cap}, in one
    statement (none when no queryset can have a row)."""
    found = {name: 0 for name in asks}
    parts: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    alias = "default"
    for name, (queryset, cap) in asks.items():
        compiled = _compiled(queryset, cap)
        if compiled is None:
            continue
        alias = queryset.db
        # The SQL is the ORM's own compilation; every value stays a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({compiled[0]}) bw_menu_{len(parts)})")  # noqa: S608
        params.extend(compiled[1])
        names.append(name)
    if parts:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        found.update(zip(names, row, strict=True))
    return found


def _one_by_one(asks: dict[str, tuple[Any, int]]) -> dict[str, int]:
    found = {}
    for name, ask in asks.items():
        try:
            found[name] = capped_counts({name: ask})[name]
        except Exception as exc:
            logger.error("Menu count %s failed: %s", name, type(exc).__name__)
            found[name] = 0
    return found


def _guarded(ask: Callable[[], dict[str, int]]) -> dict[str, int]:
    """Inside a transaction (tests, a future ATOMIC_REQUESTS) a failed statement on PostgreSQL
    breaks every later one: a savepoint, rolled back on failure. Requests run in autocommit."""
    connection = connections["default"]
    if not connection.in_atomic_block:
        return ask()
    savepoint = connection.savepoint()
    assert savepoint is not None  # in an atomic block: always one
    try:
        found = ask()
    except Exception:
        connection.savepoint_rollback(savepoint)
        raise
    connection.savepoint_commit(savepoint)
    return found


def ask_all(asks: dict[str, tuple[Any, int]]) -> dict[str, int]:
    """capped_counts; in autocommit (how requests run), one statement per part when the whole
    fails. Inside a transaction nothing can follow a failed statement on PostgreSQL, and a
    savepoint would cost two more statements on every page: the error is raised (tests run
    there, so a broken count fails them loudly)."""
    if not asks:
        return {}
    if connections["default"].in_atomic_block:
        return capped_counts(asks)
    try:
        return capped_counts(asks)
    except Exception as exc:
        logger.error("Menu counts failed together (%s): asking one by one",
                     type(exc).__name__)
        return _one_by_one(asks)


def _queue_counts(user, asks: dict[str, tuple[Any, int]]) -> list[queues.Queue]:
    """Adds each menu-counted queue's count to `asks`; returns the queues without a count
    queryset (asked through their items function)."""
    rest = []
    for queue in queues.registered_queues():
        if not (queue.menu or queue.actionable):
            continue
        if queue.count is None:
            rest.append(queue)
            continue
        try:
            queryset = queue.count(user)
        except Exception as exc:
            logger.error("Home queue %s failed: %s", queue.key, type(exc).__name__)
            continue
        if queryset is not None:
            asks[f"queue:{queue.key}"] = (queryset, queues.COUNT_CAP + 1)
    return rest


def _sum(counts: dict[str, int], queue: queues.Queue, n: int) -> None:
    if queue.menu:
        counts[queue.menu] = counts.get(queue.menu, 0) + n
    if queue.actionable:
        counts["home"] = counts.get("home", 0) + n


def _items_count(queue: queues.Queue, user) -> int:
    """A queue registered without a count queryset: its items function, asked for the count."""
    try:
        return _guarded(lambda: {"n": queue.items(user, 0)[0]})["n"]
    except Exception as exc:
        logger.error("Home queue %s failed: %s", queue.key, type(exc).__name__)
        return 0


def menu_of(request) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """The person's menu entries (url, label, key) and counts by menu key ("home": the work
    waiting), kept for BRIDGEWAY_MENU_SECONDS (core.queues.menu_cache_get); otherwise asked in
    one statement. On the home page, which has run every queue already, the queues' counts are
    taken from there."""
    user = request.user
    entries_key = f"entries:{get_language()}"
    entries = queues.menu_cache_get(request, entries_key)
    counts = queues.menu_cache_get(request, "counts")
    if entries is not None and counts is not None:
        return entries, counts
    asks: dict[str, tuple[Any, int]] = {}
    raw = menu_entries(user) if entries is None else []
    for position, entry in enumerate(raw):
        if len(entry) > 3:
            asks[f"entry:{position}"] = (entry[3], 1)
    ran = getattr(request, "_bridgeway_queues", None)
    rest: list[queues.Queue] = []
    if counts is None:
        for key, count in _menu_counts.items():
            queryset = count(user)
            if queryset is not None:
                asks[f"menu:{key}"] = (queryset, queues.COUNT_CAP + 1)
        if ran is None:
            rest = _queue_counts(user, asks)
    found = ask_all(asks)
    if entries is None:
        entries = [(url, str(label), key) for position, (url, label, key, *_c) in enumerate(raw)
                   if found.get(f"entry:{position}", 1)]
        queues.menu_cache_set(request, entries_key, entries)
    if counts is None:
        counts = {}
        for key in _menu_counts:
            if found.get(f"menu:{key}"):
                counts[key] = found[f"menu:{key}"]
        if ran is not None:
            for result in ran[1]:
                _sum(counts, result.queue, result.count)
        else:
            for queue in queues.registered_queues():
                n = found.get(f"queue:{queue.key}", 0)
                if queue in rest:
                    n = _items_count(queue, user)
                if n:
                    _sum(counts, queue, n)
        queues.menu_cache_set(request, "counts", counts)
    return entries, counts
