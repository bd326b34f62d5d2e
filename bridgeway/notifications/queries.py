from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from bridgeway.core.shortcuts import get_or_404
from bridgeway.notifications.models import Notification

if TYPE_CHECKING:
    from bridgeway.accounts.models import User


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("by_organisation")


def unread_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)



def notification_for_user(user: User, pk: int | str) -> Notification:
    return get_or_404(Notification.objects.all(), user=user, pk=pk)
