"""The referral queues of the home page (see bridgeway/core/queues.py)."""

from django.utils.translation import gettext_lazy as _

from bridgeway.core.queues import register_queue
from bridgeway.referrals import queries


def register() -> None:
    register_queue("referrals.incoming", _("Referrals waiting for your answer"),
                   queries.home_incoming, order=15, menu="referrals", more="referrals:list",
                   count=queries.incoming_waiting)
    register_queue("referrals.messages", _("Unread referral messages"),
                   queries.home_unread_messages, order=30, menu="referrals",
                   count=queries.unread_messages)
