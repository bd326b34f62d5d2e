from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from bridgeway.orgs.queries import organisation_audit_for_user
from bridgeway.protection.models import AuditEvent
from bridgeway.protection.queries import audit_events_for_org


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["seq", "created_at", "actor", "organisation", "action", "object_type",
                  "object_id", "payload", "hash"]


class _Filters(serializers.Serializer):
    action = serializers.CharField(required=False, allow_blank=True, max_length=100)
    actor = serializers.IntegerField(required=False, min_value=1)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


@extend_schema(
    summary="An organisation's audit events (its administrators and data protection officers)",
    parameters=[
        OpenApiParameter("action", OpenApiTypes.STR, description="action code prefix"),
        OpenApiParameter("actor", OpenApiTypes.INT),
        OpenApiParameter("since", OpenApiTypes.DATE),
        OpenApiParameter("until", OpenApiTypes.DATE),
    ],
)
class AuditEventList(ListAPIView):
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        org = organisation_audit_for_user(self.request.user, self.kwargs["org_pk"])
        filters = _Filters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return audit_events_for_org(org, action=data.get("action", ""), actor_id=data.get("actor"),
                                    since=data.get("since"), until=data.get("until"))
