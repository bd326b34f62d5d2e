"""Reminders for case work, run by notifications' `send_reminders`."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from bridgeway.cases.models import CaseTask
from bridgeway.notifications.services import Kind, notify


def overdue_tasks(now: datetime) -> int:
    """Tells each assignee once about each open task past its due date."""
    created = 0
    today = timezone.localdate(now)
    for task in (CaseTask.objects.filter(done_at__isnull=True, due_on__lt=today)
                 .select_related("assignee", "case__organisation")):
        created += len(notify(users=[task.assignee], kind=Kind.TASK_OVERDUE,
                              link=reverse("cases:work", args=[task.case_id]),
                              organisation=task.case.organisation, key=f"task_overdue:{task.pk}",
                              reference=task.case.reference))
    return created
