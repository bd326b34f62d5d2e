from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from bridgeway.core.prepared import Prepared, prepared
from bridgeway.core.shortcuts import get_or_404
from bridgeway.notifications.models import Notification

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("by_organisation")


def unread_of(user: User) -> Prepared:
    """The unread notifications, as the menu counts them on every page (core.prepared)."""
    return _unread(user_id=user.pk)


@prepared
def _unread(*, user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True)



def notification_for_user(user: User, pk: int | str) -> Notification:
    return get_or_404(Notification.objects.all(), user=user, pk=pk)
