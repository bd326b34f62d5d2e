from django.db.models import QuerySet
from django.http import Http404

from bridgeway.notifications.models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_for_user(user, pk) -> Notification:
    try:
        return Notification.objects.get(user=user, pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
