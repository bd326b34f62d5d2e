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
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Trunc
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


def audit_groups(events: QuerySet[AuditEvent]) -> QuerySet:
    """One row per action done at once: the events of one person, with one action code, in
    the same second (a supervisor exporting 15 cases, a list opened, a bulk change), newest
    first, each with its number of events. Grouped by the database, so a page of groups costs
    the same whatever the groups hold."""
    return (events.order_by()
            .annotate(second=Trunc("created_at", "second", tzinfo=UTC))
            .values("actor_id", "action", "second")
            .annotate(n=Count("id"), last=Max("seq"))
            .order_by("-last"))


def audit_group_rows(groups: Iterable[dict[str, Any]], events: QuerySet[AuditEvent]
                     ) -> list[dict[str, Any]]:
    """The groups of one page as sentences naming all their subjects (linked): one query for
    the page's events (with their actors), then one per kind of object named."""
    groups = list(groups)
    if not groups:
        return []
    which = Q(pk__in=[])
    for g in groups:
        which |= Q(actor_id=g["actor_id"], action=g["action"], created_at__gte=g["second"],
                   created_at__lt=g["second"] + timedelta(seconds=1))
    members: dict[tuple, list[AuditEvent]] = {}
    found = list(events.filter(which).order_by("seq"))
    for e in found:
        second = e.created_at.astimezone(UTC).replace(microsecond=0)
        members.setdefault((e.actor_id, e.action, second), []).append(e)
    pairs = []
    for e in found:
        pairs.append((e.object_type, e.object_id))
        pairs += payload_objects(e.action, e.payload)
    objects = describe_objects(pairs)
    rows = []
    for g in groups:
        group = members.get((g["actor_id"], g["action"],
                             g["second"].astimezone(UTC)), [])
        if not group:
            continue
        first = group[-1]
        who = _who(first.actor)
        action = str(audit_code_label(g["action"], _("Other change")))
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
        sentence = audit_sentence(g["action"], action, who,
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


def access_groups(entries: QuerySet[AccessLogEntry]) -> QuerySet:
    """One row per request that read personal data (the entries of one request share their
    time, person, screen and channel), newest first, with its number of persons."""
    return (entries.order_by().values("at", "user_id", "screen", "via")
            .annotate(persons=Count("subject_id", distinct=True), first=Min("id"))
            .order_by("-at", "-first"))


def access_rows(groups: Iterable[dict[str, Any]], entries: QuerySet[AccessLogEntry]
                ) -> list[dict[str, Any]]:
    """The groups of one page as sentences, each with its persons (reference, linked) and
    flags in words. One query for the page's entries, one for the names of staff."""
    from django.contrib.auth import get_user_model

    groups = list(groups)
    if not groups:
        return []
    users = dict(get_user_model().objects.filter(pk__in={g["user_id"] for g in groups})
                 .values_list("pk", "full_name"))
    keys = {(g["at"], g["user_id"], g["screen"], g["via"]) for g in groups}
    members: dict[tuple, list] = {}
    for entry in (entries.filter(at__in={g["at"] for g in groups},
                                 user_id__in={g["user_id"] for g in groups})
                  .order_by("subject__reference").values("at", "user_id", "screen", "via",
                                                         "subject_id", "subject__reference",
                                                         "flags")):
        key = (entry["at"], entry["user_id"], entry["screen"], entry["via"])
        if key in keys:
            members.setdefault(key, []).append(entry)
    rows = []
    for g in groups:
        key = (g["at"], g["user_id"], g["screen"], g["via"])
        found = members.get(key, [])
        who = users.get(g["user_id"]) or _("Someone")
        flags = sorted({f for e in found for f in (e["flags"] or [])})
        rows.append({
            "at": g["at"], "who": who, "screen": g["screen"], "via": g["via"],
            "sentence": view_sentence(g["screen"], g["via"], who),
            "channel": label(g["via"], "protection.access_via"),
            "persons": [(e["subject__reference"], e["subject_id"]) for e in found],
            "count": g["persons"],
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
        groups = access_groups(entries)[:EXPORT_LIMIT]
        page: list[dict[str, Any]] = []
        for group in groups.iterator(chunk_size=200):
            page.append(group)
            if len(page) == 200:
                yield from _access_lines(page, entries)
                page = []
        yield from _access_lines(page, entries)
    return _csv_response(rows(), filename)


def _access_lines(page: list[dict[str, Any]], entries) -> Iterator[list[Any]]:
    for row in access_rows(page, entries):
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
