"""Apps register reminder sources here; `manage.py send_reminders` (cron) and the reminders task
run them all. A source takes the current time and returns how much it did (notifications
created, referrals expired: a figure for the operator's log, not an exact count of e-mails)."""

from collections.abc import Callable
from datetime import datetime

ReminderSource = Callable[[datetime], int]
_sources: dict[str, ReminderSource] = {}


def register_reminder_source(name: str, source: ReminderSource) -> ReminderSource:
    _sources[name] = source
    return source


def reminder_sources() -> dict[str, ReminderSource]:
    return dict(_sources)
