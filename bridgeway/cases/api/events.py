"""Trafficking events and perpetrators under a case."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from bridgeway.cases import services
from bridgeway.cases.api.base import SubLists
from bridgeway.cases.api.serializers import EventSerializer, PerpetratorSerializer


class EventActions(SubLists):
    # Trafficking events (hte_) and perpetrators (per_).
    # (A comment, not a docstring: the case viewset would take it as its OpenAPI description.)

    @extend_schema(methods=["GET"], responses=EventSerializer(many=True),
                   summary="Trafficking events (hte_)")
    @extend_schema(methods=["POST"], request=EventSerializer, responses={201: EventSerializer},
                   summary="Add a trafficking event")
    @action(detail=True, methods=["get", "post"])
    def events(self, request, pk=None):
        case = self.get_object()
        return self._sub_list(
            request, case.events.select_related("subject"), EventSerializer,
            lambda data: services.event_add(case=case, actor=request.user, **data))

    @extend_schema(methods=["GET"], responses=PerpetratorSerializer(many=True),
                   summary="Perpetrators (per_)")
    @extend_schema(methods=["POST"], request=PerpetratorSerializer,
                   responses={201: PerpetratorSerializer}, summary="Add a perpetrator")
    @action(detail=True, methods=["get", "post"])
    def perpetrators(self, request, pk=None):
        case = self.get_object()
        return self._sub_list(
            request, case.perpetrators.select_related("subject"), PerpetratorSerializer,
            lambda data: services.perpetrator_add(case=case, actor=request.user, **data))
