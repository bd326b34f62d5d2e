"""The home page is each person's work queue. Every app contributes the queues it owns here, from
its AppConfig.ready() (or a `home.py` module imported there); core knows none of them.

A queue is a key, a title, a function `items(user, limit) -> (count, items)` and an ordering
(`order`: lower first on the page). The function answers for the asking user only (start from the
app's scoped query), returns the number of things waiting (`capped_count`: exact up to
COUNT_CAP, shown as "99+" beyond) and at most `limit` of them already in
the queue's order — most urgent first, then newest — and with `limit == 0` only the count (the
menu asks for counts on every page). Its SQL statements do not grow with the queue's size (one
page of rows, and one count when the page is full: `count_and_page`); it leaves out anything
erased, revoked or otherwise no longer waiting, and never decrypts personal data: labels carry
references, statuses and dates. See docs/home-queues.md."""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.urls import reverse

logger = logging.getLogger("bridgeway.home")

# Urgency of one item: the page shows it as a badge and the menu does not care.
NORMAL, SOON, URGENT = 0, 1, 2

# Counts stop here ("99+"): counting a long queue to the last row costs as much as reading it,
# and nobody acts differently on 240 or 2,400 waiting.
COUNT_CAP = 99


def capped_count(queryset) -> int:
    """How many rows, counted no further than COUNT_CAP + 1 (a QuerySet or a prepared query,
    core.prepared)."""
    if hasattr(queryset, "compiled"):
        return _counts_together({"n": PendingCount(queryset)})["n"]
    return queryset.order_by()[:COUNT_CAP + 1].count()  # no ORDER BY: any rows will do


class PendingCount:
    """The capped count of a full page, asked later: inside run_queues (the home page) every
    queue's count is asked in ONE statement after all the pages (core.menu.capped_counts), so a
    page of N full queues runs N + 1 statements instead of 2N. run_queues puts the number in
    the queue's result; a queue function only passes it on (it is not a number before that)."""

    __slots__ = ("queryset",)

    def __init__(self, queryset) -> None:
        self.queryset = queryset


# Set by run_queues while it runs the queues for one page: count_and_page then defers.
_deferring = contextvars.ContextVar("bridgeway_queue_counts_deferred", default=False)


def count_and_page(count_qs, page_qs, limit: int) -> tuple[int, list]:
    """The count and the first `limit` rows, in as few statements as the queue allows: the page
    first, and the count only when the page is full (a short page is the whole queue), asked
    with the other queues' counts in one statement when run_queues runs (PendingCount). Each
    statement costs a round trip to the database, which on a busy server is most of the time."""
    if not limit:
        return capped_count(count_qs), []
    rows = list(page_qs[:limit])
    if len(rows) < limit:
        return len(rows), rows
    if _deferring.get():
        return PendingCount(count_qs), rows  # type: ignore[return-value]  # resolved by run_queues
    return capped_count(count_qs), rows


_FAST_ARGS = (int, UUID)


def url_maker(name: str) -> Callable[..., str]:
    """`reverse(name, args=args)` for the rows of one queue, reversed once: the first call reverses
    and remembers the text around its arguments, later calls put their ids (integers or UUIDs,
    which the URL converters write as `str()` does) between those pieces. A route whose text
    around an argument is ambiguous, or any other kind of argument, is reversed every time.
    Make one per request (the URL prefix can depend on it), not at import."""
    pieces: list[str] | None = None
    fast = True

    def url(*args: Any) -> str:
        nonlocal pieces, fast
        if not fast or not all(isinstance(a, _FAST_ARGS) and not isinstance(a, bool)
                               for a in args):
            return reverse(name, args=args)
        if pieces is None:
            full = reverse(name, args=args)
            rest, found = full, []
            for arg in args:
                text = str(arg)
                if rest.count(text) != 1:
                    fast = False
                    return full
                before, rest = rest.split(text)
                found.append(before)
            pieces = [*found, rest]
            return full
        out = [pieces[0]]
        for arg, piece in zip(args, pieces[1:], strict=True):
            out += (str(arg), piece)
        return "".join(out)

    return url


def count_label(count: int) -> str:
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


@dataclass(frozen=True)
class QueueItem:
    label: str
    url: str
    urgency: int = NORMAL
    due: date | datetime | None = None
    # When it started waiting (newest first among equally urgent items).
    since: date | datetime | None = None
    detail: str = ""


# (user, limit) -> (count, first items). The user is Any: core cannot name the user model.
QueueFunction = Callable[[Any, int], tuple[int, list[QueueItem]]]
# (user) -> the rows waiting, as a queryset the menu counts (to COUNT_CAP + 1) in its one
# statement with every other count (core.menu), or None when nothing can wait for this user.
QueueCount = Callable[[Any], Any]


@dataclass(frozen=True)
class Queue:
    key: str
    title: object  # a (lazy) translated string
    items: QueueFunction
    order: int = 100
    # The menu entry (its key in the navigation) that shows this queue's count, if any.
    menu: str = ""
    # Whether the count is work waiting (summed on "Home" in the menu) or a list to keep at hand.
    actionable: bool = True
    # "See all": a URL name (reversed without arguments) or "".
    more: str = ""
    # The menu's count as a queryset (QueueCount); without one the menu runs items(user, 0).
    count: QueueCount | None = None


@dataclass
class QueueResult:
    queue: Queue
    count: int = 0
    items: list[QueueItem] = field(default_factory=list)
    failed: bool = False


_queues: dict[str, Queue] = {}


def register_queue(key: str, title, items: QueueFunction, *, order: int = 100, menu: str = "",
                   actionable: bool = True, more: str = "",
                   count: QueueCount | None = None) -> Queue:
    queue = Queue(key=key, title=title, items=items, order=order, menu=menu,
                  actionable=actionable, more=more, count=count)
    _queues[key] = queue
    return queue


def registered_queues() -> list[Queue]:
    return sorted(_queues.values(), key=lambda q: (q.order, q.key))


def run_queues(user, *, limit: int = 5) -> list[QueueResult]:
    """Every registered queue for `user` (for the menu's counts, `limit == 0`, only the queues
    that count somewhere). A queue that fails is reported as failed and the others still show;
    the log names the queue and the error's type, never its message, which could carry personal
    data. The counts of full pages are asked together at the end (PendingCount)."""
    queues = [q for q in registered_queues() if limit or q.menu or q.actionable]
    results: dict[str, QueueResult] = {}
    pending: dict[str, PendingCount] = {}
    counted: dict[str, int | None] = {}
    while queues:
        # Inside a transaction (tests, a future ATOMIC_REQUESTS) a failed statement on PostgreSQL
        # breaks every later one: one savepoint for the run, rolled back after a failure and set
        # again for the queues still to run. In autocommit (how requests run) none is needed.
        savepoint = connection.savepoint() if connection.in_atomic_block else None
        failed_at = None
        for position, queue in enumerate(queues):
            token = _deferring.set(bool(limit))
            try:
                count, items = queue.items(user, limit)
            except Exception as exc:
                logger.error("Home queue %s failed: %s", queue.key, type(exc).__name__)
                results[queue.key] = QueueResult(queue=queue, failed=True)
                failed_at = position
                break
            finally:
                _deferring.reset(token)
            if isinstance(count, PendingCount):
                pending[queue.key] = count
                count = 0
            results[queue.key] = QueueResult(queue=queue, count=count,
                                             items=list(items)[:limit])
        together = False
        if failed_at is None and pending:
            # The last round: every full page's count in one statement, inside the same
            # savepoint (none in autocommit), so that tests count no extra statement.
            try:
                counted.update(_counts_together(pending))
                together = True
            except Exception as exc:
                logger.warning("Home queue counts failed together (%s): asking one by one",
                               type(exc).__name__)
                if savepoint is not None:
                    connection.savepoint_rollback(savepoint)
                    savepoint = None
        if savepoint is not None:
            if failed_at is None:
                connection.savepoint_commit(savepoint)
            else:
                connection.savepoint_rollback(savepoint)
        if failed_at is None and pending and not together:
            counted = _counts_one_by_one(pending)
        queues = [] if failed_at is None else queues[failed_at + 1:]
    for key, number in counted.items():
        if number is None:
            results[key] = QueueResult(queue=results[key].queue, failed=True)
        else:
            results[key].count = number
    return [r for r in (results.get(q.key) for q in registered_queues())
            if r is not None and (r.failed or r.count or r.items)]


def _counts_together(pending: dict[str, PendingCount]) -> dict[str, int]:
    from bridgeway.core.menu import capped_counts

    return capped_counts({key: (p.queryset, COUNT_CAP + 1) for key, p in pending.items()})


def _counts_one_by_one(pending: dict[str, PendingCount]) -> dict[str, int | None]:
    """After the statement of every count failed: each on its own (None: that queue's count
    failed, and the log says which), as run_queues does for a failing queue."""
    found: dict[str, int | None] = {}
    for key, one in pending.items():
        savepoint = connection.savepoint() if connection.in_atomic_block else None
        try:
            found[key] = _counts_together({key: one})[key]
        except Exception as exc:
            logger.error("Home queue %s failed: %s", key, type(exc).__name__)
            found[key] = None
            if savepoint is not None:
                connection.savepoint_rollback(savepoint)
            continue
        if savepoint is not None:
            connection.savepoint_commit(savepoint)
    return found


# The menu's counts and entries per person, kept for BRIDGEWAY_MENU_SECONDS in this process so
# that every page does not run every queue's count again (about half of a small page's time).
# The home page and any request that may write (POST, ...) work them out afresh and store them;
# a service that changes what waits for a person without such a request (reading a notification
# or a thread by opening it) calls forget_menu(user). Only counts and menu entries are kept,
# never personal data; a person's permissions are still checked by every view on every request.
_menu_cache: dict[int, tuple[float, dict[str, Any]]] = {}
_MENU_CACHE_MAX = 10_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A view answering a POST that changes nothing (a name search, posted to keep the name out of
# URLs) sets this attribute on the request: its menu may be the kept one.
MENU_READ_ONLY = "_bridgeway_menu_read_only"


def menu_cache_get(request, key: str) -> Any:
    """The value kept for the signed-in person under `key`, or None (expired, never kept, or a
    request that may write, or the home page, which runs every queue anyway)."""
    writes = request.method not in SAFE_METHODS and not getattr(request, MENU_READ_ONLY, False)
    if writes or getattr(request, "_bridgeway_queues", None) or \
            not getattr(settings, "BRIDGEWAY_MENU_SECONDS", 0):
        return None
    entry = _menu_cache.get(request.user.pk)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1].get(key)


def menu_cache_set(request, key: str, value: Any) -> None:
    seconds = getattr(settings, "BRIDGEWAY_MENU_SECONDS", 0)
    if not seconds:
        return
    now = time.monotonic()
    entry = _menu_cache.get(request.user.pk)
    if entry is None or entry[0] < now:
        if len(_menu_cache) >= _MENU_CACHE_MAX:
            for pk in [pk for pk, (expires, _v) in list(_menu_cache.items()) if expires < now]:
                _menu_cache.pop(pk, None)
            if len(_menu_cache) >= _MENU_CACHE_MAX:
                _menu_cache.clear()
        entry = (now + seconds, {})
        _menu_cache[request.user.pk] = entry
    entry[1][key] = value


def forget_menu(user) -> None:
    """What waits for `user` changed: their next page counts afresh (in this process)."""
    if getattr(user, "pk", None) is not None:
        _menu_cache.pop(user.pk, None)


def queue_results(request, *, limit: int = 0) -> list[QueueResult]:
    """The queues of the signed-in person, worked out once per request: the home page asks with
    items, the menu (on every page, and again when a panel is rendered) only for the counts."""
    cached = getattr(request, "_bridgeway_queues", None)
    if cached is not None and cached[0] >= limit:
        return cached[1]
    results = run_queues(request.user, limit=limit)
    request._bridgeway_queues = (limit, results)
    return results
