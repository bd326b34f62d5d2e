"""The finance people's queues on the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.queues import register_queue
from bridgeway.funding import queries


def register() -> None:
    register_queue("funding.resilience_missing", _("Resilience figures missing for last year"),
                   queries.home_resilience_missing, order=58, menu="funding",
                   count=queries.resilience_missing)
    register_queue("funding.grants_ending", _("Grants ending within 6 months with no follow-up"),
                   queries.home_grants_ending, order=59, menu="funding",
                   count=queries.grants_ending)
