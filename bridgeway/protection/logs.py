"""The audit log and the access log as people read them: sentences ("Maria Ionescu opened case
C-2026-0012") with links to the case, referral or incident, the access log grouped by request
(one supervisor opening a list of 15 cases is one entry with 15 persons), and their CSV exports.

Words come from core's label registry (core.labels), where each app registers its codes, its
objects and its sentences. Nothing here decrypts personal data: a person is named by their
reference, staff by the name every page already shows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from html import unescape
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.core import dates
from bridgeway.core.labels import (
    audit_sentence,
    describe_objects,
    details,
    label,
    payload_objects,
    view_names,
    view_sentence,
)
from bridgeway.core.spreadsheets import safe_cell
from bridgeway.protection.models import AccessLogEntry, AuditEvent
from bridgeway.protection.registry import audit_code_label

EXPORT_LIMIT = 50_000  # rows in one CSV export; narrow the filters for more


def _who(user: Any) -> str:
    return user.full_name if user is not None and user.full_name else _("Bridgeway")


# --- the audit log -------------------------------------------------------------------------------

def audit_rows(events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    """Each event as {"event", "sentence" (safe HTML), "action", "who", "details",
    "subject": (text, url) | None}: the objects of the whole page described at once."""
    events = list(events)
    pairs = []
    for e in events:
        pairs.append((e.object_type, e.object_id))
        pairs += payload_objects(e.action, e.payload)
    objects = describe_objects(pairs)
    rows = []
    for e in events:
        who = _who(e.actor)
        action = str(audit_code_label(e.action, _("Other change")))
        subject = objects.get((e.object_type, e.object_id)) if e.object_type else None
        if subject is None and e.object_type:
            subject = (_object_kind(e.object_type), "")
        sentence = audit_sentence(e.action, action, who, subject)
        rows.append({"event": e, "who": who, "action": action, "subject": subject,
                     "sentence": sentence, "details": details(e.action, e.payload, objects)})
    return rows


# --- pages of groups, read a window at a time ------------------------------------------------------

PAGE_SIZE = 50


@dataclass
class GroupPage:
    """One page of a log's entries (groups of rows), newest first. `before` is the cursor of
    the next (older) page, None on the last one; `after` tells whether this page is not the
    first (it was asked with a cursor)."""
    groups: list[list[Any]]
    before: datetime | None
    after: bool

    @property
    def has_other_pages(self) -> bool:
        return self.before is not None or self.after


def windowed_groups(rows: QuerySet, *, time_field: str, bucket: Callable[[Any], datetime],
                    key: Callable[[Any], tuple], before: datetime | None = None,
                    size: int = PAGE_SIZE) -> GroupPage:
    """The first `size` groups of `rows` (already filtered) older than `before`, reading only
    the rows those groups need: a window of rows newest first (keyset on `time_field`), grouped
    by `key` within it, widened while the page is short. A group never spans a bucket (a
    second, or one request's instant): `bucket(row)` is the start of the row's bucket, and a
    page ends only where a bucket ends, so no group is cut in two and the next page starts
    exactly below it (`before`, the cursor). A bucket holding more than `size` groups makes
    that page longer. The cost of a page is that of its rows, whatever the log's size."""
    ordered = rows.order_by(f"-{time_field}", "-pk")
    if before is not None:
        ordered = ordered.filter(**{f"{time_field}__lt": before})
    groups: dict[tuple, list[Any]] = {}
    window = size * 4
    below: datetime | None = None  # rows older than this are still to read
    while True:
        chunk = ordered if below is None else ordered.filter(**{f"{time_field}__lt": below})
        found = list(chunk[:window + 1])
        more = len(found) > window
        found = found[:window]
        if more:
            # The window's oldest bucket may go on past it: read it whole, or leave it for the
            # next window when the window holds other buckets.
            last = bucket(found[-1])
            whole = [r for r in found if bucket(r) != last]
            if not whole:
                found = list(chunk.filter(**{f"{time_field}__gte": last}))
                below = last
            else:
                found = whole
                below = bucket(whole[-1])
        for position, row in enumerate(found):
            groups.setdefault(key(row), []).append(row)
            ends_bucket = position + 1 == len(found) or bucket(found[position + 1]) != bucket(row)
            if ends_bucket and len(groups) >= size:
                rest = position + 1 < len(found) or more
                return GroupPage(list(groups.values()), bucket(row) if rest else None,
                                 before is not None)
        if not more:
            return GroupPage(list(groups.values()), None, before is not None)
        window *= 4


def parse_cursor(value: str | None) -> datetime | None:
    """A page's cursor from the URL; anything unreadable is the first page."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _second(event: AuditEvent) -> datetime:
    return event.created_at.astimezone(UTC).replace(microsecond=0)


def audit_page(events: QuerySet[AuditEvent], *, before: datetime | None = None,
               size: int = PAGE_SIZE) -> GroupPage:
    """One page of the audit log, one group per action done at once: the events of one person,
    with one action code, in the same second (a supervisor exporting 15 cases, a list opened, a
    bulk change), newest first."""
    return windowed_groups(events, time_field="created_at", bucket=_second,
                           key=lambda e: (e.actor_id, e.action, _second(e)), before=before,
                           size=size)


def audit_group_rows(groups: Iterable[list[AuditEvent]]) -> list[dict[str, Any]]:
    """The groups of one page (each its events, newest first) as sentences naming all their
    subjects (linked): one query per kind of object named."""
    groups = [g for g in groups if g]
    if not groups:
        return []
    pairs = []
    for group in groups:
        for e in group:
            pairs.append((e.object_type, e.object_id))
            pairs += payload_objects(e.action, e.payload)
    objects = describe_objects(pairs)
    rows = []
    for newest_first in groups:
        group = newest_first[::-1]  # the order they happened in
        first = group[-1]
        who = _who(first.actor)
        action = str(audit_code_label(first.action, _("Other change")))
        subjects: list[tuple[str, str]] = []
        seen = set()
        for e in group:
            if not e.object_type or (e.object_type, e.object_id) in seen:
                continue
            seen.add((e.object_type, e.object_id))
            subject = objects.get((e.object_type, e.object_id))
            subjects.append(subject if subject is not None
                            else (_object_kind(e.object_type), ""))
        shown: list[tuple[str, str]] = []
        for e in group:
            for pair in details(e.action, e.payload, objects):
                if pair not in shown:
                    shown.append(pair)
        sentence = audit_sentence(first.action, action, who,
                                  subjects if len(subjects) != 1 else subjects[0])
        rows.append({"event": first, "at": first.created_at, "who": who, "action": action,
                     "subjects": subjects, "count": len(group), "sentence": sentence,
                     "details": shown})
    return rows


def _object_kind(model_label: str) -> str:
    """An object nobody registered (or one gone meanwhile) reads as its kind: "a task"."""
    from django.apps import apps

    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return _("an item")
    return str(model._meta.verbose_name)


_TAG = re.compile(r"<[^>]*>")


def _plain(html: str) -> str:
    """A sentence's words without its link (the sentence is the project's own HTML)."""
    return unescape(_TAG.sub("", html))


def audit_action_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """The action filter's choices: each code as its label, sorted by the label. Every
    registered code, not those the log holds: listing those would read all of a large log."""
    return sorted(((c, str(audit_code_label(c, c))) for c in codes), key=lambda pair: pair[1])


def audit_csv(events: QuerySet[AuditEvent], filename: str) -> HttpResponse:
    def rows() -> Iterator[list[Any]]:
        yield [_("When"), _("Who"), _("What happened"), _("Action"), _("Subject"), _("Details"),
               _("Number")]
        batch: list[AuditEvent] = []
        for event in events[:EXPORT_LIMIT].iterator(chunk_size=500):
            batch.append(event)
            if len(batch) == 500:
                yield from _audit_lines(batch)
                batch = []
        yield from _audit_lines(batch)
    return _csv_response(rows(), filename)


def _audit_lines(batch: list[AuditEvent]) -> Iterator[list[Any]]:
    for row in audit_rows(batch):
        yield [dates.when(row["event"].created_at), row["who"], _plain(row["sentence"]),
               row["action"],
               row["subject"][0] if row["subject"] else "",
               "; ".join(f"{k}: {v}" for k, v in row["details"]), row["event"].seq]


# --- the access log ------------------------------------------------------------------------------

def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(since, time.min), tz) if since else None,
            timezone.make_aware(datetime.combine(until, time.max), tz) if until else None)


def access_page(entries: QuerySet[AccessLogEntry], *, before: datetime | None = None,
                size: int = PAGE_SIZE) -> GroupPage:
    """One page of the access log, one group per request that read personal data (the entries
    of one request share their instant, person, screen and channel), newest first."""
    rows = entries.values("id", "at", "user_id", "screen", "via", "subject_id",
                          "subject__reference", "flags")
    return windowed_groups(rows, time_field="at", bucket=lambda e: e["at"],
                           key=lambda e: (e["at"], e["user_id"], e["screen"], e["via"]),
                           before=before, size=size)


def access_rows(groups: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The groups of one page as sentences, each with its persons (reference, linked) and
    flags in words. One query for the names of staff."""
    from django.contrib.auth import get_user_model

    groups = [g for g in groups if g]
    if not groups:
        return []
    users = dict(get_user_model().objects.filter(pk__in={g[0]["user_id"] for g in groups})
                 .values_list("pk", "full_name"))
    rows = []
    for group in groups:
        g = group[0]
        found: dict[Any, dict[str, Any]] = {}
        for e in sorted(group, key=lambda e: e["subject__reference"] or ""):
            found.setdefault(e["subject_id"], e)
        who = users.get(g["user_id"]) or _("Someone")
        flags = sorted({f for e in group for f in (e["flags"] or [])})
        rows.append({
            "at": g["at"], "who": who, "screen": g["screen"], "via": g["via"],
            "sentence": view_sentence(g["screen"], g["via"], who),
            "channel": label(g["via"], "protection.access_via"),
            "persons": [(e["subject__reference"], e["subject_id"]) for e in found.values()],
            "count": len(found),
            "flags": [label(f, "protection.access_flag") for f in flags],
        })
    return rows


def access_screen_choices() -> list[tuple[str, str]]:
    """The "what" filter of the access log: each screen the apps registered, as the sentence it
    reads as, said of nobody in particular ("Someone opened the case list"). From the registry,
    not from the log: listing the screens a large log holds would read all of it."""
    someone = _("Someone")
    return sorted(((s, view_sentence(s, "", someone)) for s in view_names()),
                  key=lambda pair: pair[1])


def access_csv(entries: QuerySet[AccessLogEntry], filename: str) -> HttpResponse:
    def rows() -> Iterator[list[Any]]:
        yield [_("When"), _("Who"), _("What happened"), _("How"), _("Persons"),
               _("Number of persons"), _("Unusual")]
        before, written = None, 0
        while written < EXPORT_LIMIT:
            page = access_page(entries, before=before, size=200)
            yield from _access_lines(page.groups)
            written += len(page.groups)
            if page.before is None:
                break
            before = page.before
    return _csv_response(rows(), filename)


def _access_lines(groups: list[list[dict[str, Any]]]) -> Iterator[list[Any]]:
    for row in access_rows(groups):
        yield [dates.when(row["at"]), row["who"], row["sentence"], row["channel"],
               " ".join(ref for ref, _pk in row["persons"]), row["count"],
               ", ".join(row["flags"])]


# --- CSV -----------------------------------------------------------------------------------------

def _csv_response(rows: Iterator[list[Any]], filename: str) -> HttpResponse:
    """A CSV a spreadsheet opens safely: a cell that would run as a formula is shown as text.
    Written while the request is served (in the reader's language and time zone), not streamed
    after it."""
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read UTF-8 (Cyrillic names) only with it
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
