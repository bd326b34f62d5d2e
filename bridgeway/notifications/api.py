from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bridgeway.core.api import RefusesUnknownFilters
from bridgeway.core.api_schema import ModelSerializer
from bridgeway.notifications import queries, services
from bridgeway.notifications.models import Notification


class NotificationSerializer(ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "reference", "summary", "link", "organisation",
                  "created_at", "read_at"]
        read_only_fields = fields


@extend_schema_view(list=extend_schema(summary="The caller's notifications, newest first"),
                    retrieve=extend_schema(summary="One of the caller's notifications"))
class NotificationViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return queries.notifications_of(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer,
                   summary="Mark one notification as read")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = queries.notification_for_user(request.user, pk)
        services.mark_read(user=request.user, notification=note)
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)
