"""The case viewset: its actions come from one mixin per sub-domain."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from bridgeway.cases.api.events import EventActions
from bridgeway.cases.api.identification import IdentificationActions
from bridgeway.cases.api.intake import IntakeActions
from bridgeway.cases.api.person import PersonActions
from bridgeway.cases.api.plan import PlanActions
from bridgeway.cases.api.serializers import CaseFilterSerializer, CaseSerializer
from bridgeway.core.api import list_filters


@extend_schema_view(
    list=extend_schema(
        summary="Cases the caller may see",
        description="Filtered like the case list screen. A filter value that cannot be used "
                    "(unknown status, an assignee who is not staff of your organisations, a "
                    "malformed date) is a 400 naming the parameter. Names are searched with "
                    "POST /api/v1/cases/search/, never in a URL.",
        parameters=[CaseFilterSerializer],
        responses={200: CaseSerializer(many=True), 400: OpenApiTypes.OBJECT}),
    retrieve=extend_schema(summary="One case (its reading is recorded in the access log)"),
)
class CaseViewSet(IntakeActions, IdentificationActions, PlanActions, EventActions,
                  PersonActions, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  viewsets.GenericViewSet):
    serializer_class = CaseSerializer

    def get_queryset(self):
        filters = list_filters(self.request, CaseFilterSerializer, user=self.request.user)
        return filters.cases(self.request.user)

    def get_object(self):
        from bridgeway.cases.queries import case_for_user

        return case_for_user(self.request.user, self.kwargs["pk"])
