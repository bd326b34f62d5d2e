"""Outreach's queues on the home page (see bridgeway/core/queues.py and docs/home-queues.md).
Records waiting in a browser's outbox, and conflicts the browser holds, are shown by the
outreach pages themselves: the server never sees them until they are sent."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.queues import register_queue
from bridgeway.outreach import queries


def register() -> None:
    register_queue("outreach.unanswered", _("Facility access requests without an answer"),
                   queries.home_unanswered_access, order=45, menu="outreach",
                   more="outreach:access_list", count=queries.unanswered_access)
    register_queue("outreach.trainings", _("Trainings planned this month"),
                   queries.home_trainings_this_month, order=46, menu="outreach",
                   actionable=False, more="outreach:training_list",
                   count=queries.trainings_this_month)
