"""The helpline's part in other apps' registries: its menu entry, the contacts on a case's
timeline and page, subject-access export, erasure and its own retention period."""

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridgeway.cases.registry import (
    register_detail_panel,
    register_merge_hook,
    register_timeline_objects,
)
from bridgeway.core.registry import register_menu
from bridgeway.helpline.models import Contact, HelplineSettings, ReachIndex
from bridgeway.helpline.queries import contacts_of_case, may_operate, stats_orgs
from bridgeway.helpline.services import notify_new_submissions
from bridgeway.notifications.registry import register_reminder_source
from bridgeway.protection.registry import (
    register_erasure,
    register_export,
    register_retention_rule,
)


@register_menu(35)
def _menu(user) -> list[tuple]:
    if may_operate(user):
        return [(reverse("helpline:list"), _("Helpline"), "helpline")]
    if stats_orgs(user):
        return [(reverse("helpline:stats"), _("Helpline statistics"), "helpline_stats")]
    return []


@register_timeline_objects
def _timeline(case) -> list[str]:
    return [str(pk) for pk in contacts_of_case(case).values_list("pk", flat=True)]


@register_merge_hook
def _merge(keep, duplicate) -> None:
    # A contact is encrypted under its own data key, not the case's: only the link moves.
    Contact.objects.filter(case=duplicate).update(case=keep)


@register_detail_panel
def _panel(request, case) -> str:
    contacts = list(contacts_of_case(case).only("pk", "reference", "channel", "started_at",
                                                "outcome")[:50])
    if not contacts:
        return ""
    return render_to_string("helpline/_case_panel.html", {"contacts": contacts},
                            request=request)


@register_export
def _export(subject) -> list[dict]:
    rows = []
    for c in Contact.objects.filter(subject=subject):
        answers: Any = c.answers or {}
        rows.append({"Reference": c.reference, "Channel": c.get_channel_display(),
                     "Time": c.started_at.isoformat(), "Summary": c.summary or "",
                     "Contact details": c.reach or "",
                     "Form answers": "; ".join(f"{k}: {v}" for k, v in answers.items()),
                     "Follow-up": c.follow_up or ""})
    return [{"title": "Helpline contacts", "rows": rows}] if rows else []


@register_erasure
def _erase(subject) -> None:
    """The contact's own text goes with its subject; the contacts of an erased case's person
    go too (their text followed the case's retention)."""
    from bridgeway.protection import services as protection

    own = Contact.objects.filter(subject=subject)
    ReachIndex.objects.filter(contact__in=own).delete()
    own.update(summary=None, follow_up=None, reach=None, answers=None)
    linked = (Contact.objects.filter(case__subject=subject, subject__isnull=False,
                                     subject__erased_at__isnull=True)
              .exclude(subject=subject).select_related("subject"))
    for contact in linked:
        protection.subject_erase(subject=contact.subject, actor=None)  # type: ignore[arg-type]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


@register_retention_rule
def _retention(subject) -> date | None:
    """A contact that never became a case is kept for the organisation's helpline period
    (default 12 months) from its day, not the years a case is kept."""
    contact = (Contact.objects.filter(subject=subject, case__isnull=True)
               .only("pk").first())
    if contact is None or subject.retention_anchor is None:
        return None
    months = (HelplineSettings.objects.filter(organisation_id=subject.organisation_id)
              .values_list("retention_months", flat=True).first()) or 12
    return _add_months(subject.retention_anchor, months)


register_reminder_source("helpline.submissions", notify_new_submissions)
