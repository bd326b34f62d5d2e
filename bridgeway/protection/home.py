"""The data protection officer's queues on the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.queues import register_queue
from bridgeway.protection import queries


def register() -> None:
    register_queue("protection.erasures", _("Erasure requests to decide"),
                   queries.home_erasure_requests, order=40, menu="retention",
                   more="protection:retention", count=queries.erasure_requests_waiting)
    register_queue("protection.flagged_access", _("Unusual access to personal data"),
                   queries.home_flagged_access, order=45, menu="access_log",
                   more="protection:access_log", count=queries.flagged_access_waiting)
