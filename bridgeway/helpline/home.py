"""The operators' queue on the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.queues import register_queue
from bridgeway.helpline import queries


def register() -> None:
    register_queue("helpline.triage", _("Helpline: new submissions and follow-ups"),
                   queries.home_triage, order=25, menu="helpline", more="helpline:triage",
                   count=queries.triage_waiting)
