"""The network coordinator's queue on the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.civicspace import queries
from bridgeway.core.queues import register_queue


def register() -> None:
    register_queue("civicspace.to_verify", _("Incidents to verify"),
                   queries.home_incidents_to_verify, order=50, menu="civicspace",
                   more="civicspace:review",
                   count=queries.incidents_to_verify)
