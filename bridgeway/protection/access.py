"""The access log: every decryption of a subject's data while a person's request is being served
is recorded — automatically, from the encrypted fields themselves, so no screen can forget it.

AccessLogMiddleware opens a context per request; note_access() collects the subjects decrypted;
at the end of the request one bulk insert records them, with flags for unusual access.
"""

from __future__ import annotations

import contextvars
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Field
from django.utils import timezone

from bridgeway.protection.models import AccessLogEntry

_current: contextvars.ContextVar[AccessContext | None] = contextvars.ContextVar(
    "bridgeway_access", default=None)


@dataclass
class AccessContext:
    user: object
    screen: str
    via: str
    subjects: dict = field(default_factory=dict)


def note_access(subject) -> None:
    ctx = _current.get()
    if ctx is not None:
        ctx.subjects.setdefault(subject.pk, subject)


def note_download(user, subjects: list, *, via: str, screen: str) -> None:
    """Personal data leaves as a file (download, export). Inside a request it joins the request's
    entry, marked with `via`; outside one it is recorded at once."""
    ctx = _current.get()
    if ctx is None:
        record(user, subjects, screen=screen, via=via)
        return
    ctx.via = via
    for subject in subjects:
        ctx.subjects.setdefault(subject.pk, subject)


def begin(user, screen: str, via: str) -> contextvars.Token:
    return _current.set(AccessContext(user=user, screen=screen[:120], via=via))


def end(token: contextvars.Token) -> None:
    ctx = _current.get()
    _current.reset(token)
    if ctx is not None and ctx.subjects:
        record(ctx.user, list(ctx.subjects.values()), screen=ctx.screen, via=ctx.via)


def record(user, subjects: list, *, screen: str, via: str) -> None:
    """Writes access log entries, flagging access outside the person's organisations and bursts
    of many subjects in a short time."""
    from bridgeway.orgs.queries import active_memberships
    if not getattr(user, "is_authenticated", False) or not subjects:
        return
    now = timezone.now()
    own_orgs = {m.organisation_id for m in active_memberships(user)}
    limit = settings.BRIDGEWAY_ACCESS_BURST
    recent = {s.pk for s in subjects}
    if len(recent) <= limit:
        window = now - timedelta(minutes=settings.BRIDGEWAY_ACCESS_BURST_MINUTES)
        recent |= _subjects_read_since(user, window, limit + 1 - len(recent), recent)
    burst = len(recent) > limit
    rows = []
    for subject in subjects:
        flags = []
        if subject.organisation_id not in own_orgs:
            flags.append("outside_organisation")
        if burst:
            flags.append("many_subjects")
        rows.append((now, user.pk, subject.pk, subject.organisation_id, screen[:120], via, flags))
    _insert(rows)


_COLUMNS = ("at", "user", "subject", "organisation", "screen", "via", "flags")
_BATCH = 100


def _insert(rows: list[tuple]) -> None:
    """One INSERT of the entries, each value prepared by its own field as bulk_create would.
    bulk_create's per-object and per-field machinery (instances, pre_save, the compiler) cost
    about 0.1 ms a row, 2-4 ms for a list page of fifty people; the rows are the same."""
    connection = connections[router.db_for_write(AccessLogEntry)]
    fields = [cast(Field, AccessLogEntry._meta.get_field(name)) for name in _COLUMNS]
    quote = connection.ops.quote_name
    head = (f"INSERT INTO {quote(AccessLogEntry._meta.db_table)} "  # noqa: S608 (names only)
            f"({', '.join(quote(cast(str, f.column)) for f in fields)}) VALUES ")
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Several statements are written together or not at all, as bulk_create's batches are.
    together = (transaction.atomic(using=connection.alias, savepoint=False)
                if len(rows) > _BATCH else nullcontext())
    with together, connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start:start + _BATCH]
            params = [field.get_db_prep_save(value, connection)
                      for row in batch for field, value in zip(fields, row, strict=True)]
            cursor.execute(head + ", ".join([one] * len(batch)), params)


def _subjects_read_since(user, since, needed: int, known: set) -> set:
    """Subjects `user` read since `since`, besides `known`: at least `needed` of them when there
    are that many, else all of them.

    A DISTINCT over the window reads every entry in it, and a person paging through lists logs
    fifty per page, so the cost grew with what they read. The newest entries come first from
    the (user, -at) index, which carries the subject (an index-only scan): a burst shows within
    the first rows, and a window shorter than the first read holds its whole answer. Only a
    window full of re-reads of the same few subjects needs the DISTINCT over all of it.

    The subjects of this request are left out of both reads (they are counted already): a page
    read again, the commonest case, found nothing but them among the newest entries and paid
    for the DISTINCT too; now the first read comes back short and is the only one."""
    entries = AccessLogEntry.objects.filter(user=user, at__gte=since).exclude(subject_id__in=known)
    first = 4 * (needed + len(known))
    newest = list(entries.order_by("-at").values_list("subject_id", flat=True)[:first])
    found = set(newest)
    if len(found) >= needed or len(newest) < first:
        return found
    # order_by() keeps the model's ordering out of the DISTINCT; it stops at what is needed.
    return set(entries.order_by().values_list("subject_id", flat=True).distinct()[:needed])


class AccessLogMiddleware:
    """Opens the access context for every request. The person is read at the end, so API
    requests authenticated by token inside the view are recorded too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = "api" if request.path.startswith("/api/") else "ui"
        token = begin(None, "", via)
        try:
            return self.get_response(request)
        finally:
            ctx = _current.get()
            if ctx is not None:
                match = getattr(request, "resolver_match", None)
                ctx.screen = (match.view_name if match else "unknown")[:120]
                ctx.user = getattr(request, "user", None)
            end(token)
