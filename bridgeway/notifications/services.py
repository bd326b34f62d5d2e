"""Writes for notifications: other apps call notify(); e-mails go out from a task that receives
notification ids only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgeway.core.queues import forget_menu
from bridgeway.notifications.models import Kind, Notification
from bridgeway.notifications.registry import reminder_sources
from bridgeway.orgs.models import Organisation

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

# A link is a local path of ASCII segments: ids, codes and slashes (no query string, so no
# search terms or names can ride along).
_LINK_RE = re.compile(r"^/[A-Za-z0-9_\-/]{0,190}$")
# A reference is a code such as R-2026-00042 or C-7F3A2: letters, digits and dashes.
_REFERENCE_RE = re.compile(r"^[A-Za-z0-9\-]{0,30}$")


def notify(*, users: Iterable, kind: str, link: str, organisation: Organisation | None = None, key: str = "",
           email: bool = True, reference: str = "", by_organisation: Organisation | None = None
           ) -> list[Notification]:
    """Creates one notification per user (skipping users who already have one with `key`) and,
    after the transaction commits, queues the e-mails."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    if not _LINK_RE.match(link):
        raise ValueError("A notification link is a local path of ids and codes.")
    if not _REFERENCE_RE.match(reference):
        raise ValueError("A notification reference is a code of letters, digits and dashes.")
    created = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        created.append(Notification.objects.create(user=user, kind=kind, link=link,
                                                   organisation=organisation, key=key,
                                                   reference=reference,
                                                   by_organisation=by_organisation))
        forget_menu(user)  # their menu counts it (in this process; elsewhere within seconds)
    if email and created:
        from bridgeway.notifications.tasks import send_notification_emails

        ids = [n.pk for n in created]
        transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return created


def send_emails(ids: list[int]) -> int:
    """E-mails each notification not yet e-mailed: its kind and a link, in the person's
    language. Returns how many were sent."""
    sent = 0
    base = settings.BRIDGEWAY_BASE_URL.rstrip("/")
    for note in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True,
                                            read_at__isnull=True).select_related("user"):
        user = note.user
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            # The kind only: an e-mail leaves the platform, so not even the reference rides along.
            context = {"what": note.get_kind_display(),
                       "link": f"{base}/notifications/{note.pk}/open/"}
            send_mail(subject=_("Bridgeway: %(what)s") % context,
                      message=render_to_string("notifications/email/notification.txt", context),
                      from_email=None, recipient_list=[user.email])
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def mark_read(*, user: User, notification: Notification | None = None) -> int:
    """Marks one notification, or all of the user's, as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    forget_menu(user)  # the menu counts unread notifications
    return qs.update(read_at=timezone.now())


def run_reminders(now: datetime | None = None) -> dict[str, int]:
    """Runs every registered reminder source; returns how many notifications each created."""
    now = now or timezone.now()
    return {name: source(now) for name, source in sorted(reminder_sources().items())}
