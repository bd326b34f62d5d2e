"""Estimation's queues on the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.queues import register_queue
from bridgeway.estimation import queries


def register() -> None:
    register_queue("estimation.approvals", _("Estimates waiting for your approval"),
                   queries.home_estimates_to_approve, order=55, menu="estimation",
                   count=queries.estimates_awaiting_approval)
    register_queue("estimation.duplicates", _("Possible duplicates to review"),
                   queries.home_duplicates_to_review, order=60, menu="estimation",
                   count=queries.dedupe_runs_to_review)
