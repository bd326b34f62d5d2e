"""The case work queues of the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.cases import queries
from bridgeway.core.queues import register_queue


def register() -> None:
    register_queue("cases.approvals", _("Decisions waiting for your approval"),
                   queries.home_approvals, order=10, menu="cases", more="cases:approvals",
                   count=queries.decisions_awaiting_approval)
    register_queue("cases.tasks", _("Your tasks due this week"), queries.home_tasks, order=20,
                   menu="cases", more="cases:my_tasks", count=queries.tasks_waiting)
    register_queue("cases.mine", _("Your open cases"), queries.home_my_cases, order=90,
                   actionable=False, more="cases:list")
