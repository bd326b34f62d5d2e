"""Dates and times as people read them: in the reader's language conventions (the active
locale's formats, day before month where that is the habit; bridgeway/formats/en for English)
and in the organisation's time zone, with the zone named wherever a deadline is.

One helper per need, used by templates (the `day`, `when` and `due` filters, built in) and by
Python that writes words for people (notifications, messages):

- `day(value)`: a date ("12 Apr 1998", "12.04.1998");
- `when(value)`: a date and time in the current time zone ("7 Dec 2026, 14:05");
- `due(value)`: the same with the zone ("7 Dec 2026, 14:05 EET"), for deadlines and due dates.

The current time zone is the organisation's (`TimeZoneMiddleware`, from the source the orgs app
registers with `register_time_zone_source`), else settings.TIME_ZONE.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

TimeZoneSource = Callable[[Any], str]
_sources: list[TimeZoneSource] = []


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: Any) -> bool:
    return isinstance(name, str) and name in time_zone_names()


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


def register_time_zone_source(source: TimeZoneSource) -> TimeZoneSource:
    """`source(user) -> zone name or ""`: the time zone a signed-in person's pages use."""
    if source not in _sources:
        _sources.append(source)
    return source


def time_zone_for(user: Any) -> str:
    for source in _sources:
        name = source(user)
        if is_time_zone(name):
            return name
    return ""


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return timezone.localtime(value)


def day(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = _aware(value).date()
    if not isinstance(value, dt.date):
        return str(value)
    return _day_in(value, get_language())


# A list page writes the same few dates again and again (opened on, deadlines): formatting one
# costs 20-40 µs, a lookup well under one. A date's words depend only on the language.
@lru_cache(maxsize=4096)
def _day_in(value: dt.date, language: str | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


@receiver(setting_changed)
def _formats_changed(*, setting: str, **_kwargs) -> None:
    # As Django forgets its own format cache when a test overrides the formats.
    if setting == "FORMAT_MODULE_PATH" or setting.endswith("_FORMAT") or setting.startswith("LANG"):
        _day_in.cache_clear()


def when(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.datetime):
        return day(value)
    return date_format(_aware(value), "SHORT_DATETIME_FORMAT")


def zone_name(value: dt.datetime | None = None) -> str:
    """The current zone as people know it: its abbreviation where it has one (EET, CET, UTC),
    else its name (Asia/Dubai rather than "+04")."""
    local = _aware(value or timezone.now())
    abbreviation = local.tzname() or ""
    if abbreviation.isalpha():
        return abbreviation
    return str(timezone.get_current_timezone_name()).replace("_", " ")


def due(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.datetime):
        return day(value)
    return f"{when(value)} {zone_name(value)}"


class TimeZoneMiddleware:
    """Pages of a signed-in person show times in their organisation's time zone. Sits after
    AuthenticationMiddleware; the zone comes from what the person's memberships already load."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        name = time_zone_for(user) if user is not None and user.is_authenticated else ""
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            if name:
                timezone.deactivate()
