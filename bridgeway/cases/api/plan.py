"""The support plan: notes, services delivered, objectives, tasks, and the caller's tasks."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bridgeway.cases import services
from bridgeway.cases.api.base import SubLists
from bridgeway.cases.api.serializers import (
    NoteSerializer,
    ObjectiveSerializer,
    ServiceDeliverySerializer,
    TaskSerializer,
)
from bridgeway.cases.queries import case_team, my_open_tasks
from bridgeway.core.api import RefusesUnknownFilters
from bridgeway.core.api_schema import paginated
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.queries import organisations_visible_to


class PlanActions(SubLists):
    # Notes, services, objectives and tasks under a case.
    # (A comment, not a docstring: the case viewset would take it as its OpenAPI description.)

    @extend_schema(methods=["GET"], responses=NoteSerializer(many=True), summary="Notes")
    @extend_schema(methods=["POST"], request=NoteSerializer, responses={201: NoteSerializer},
                   summary="Add a note")
    @action(detail=True, methods=["get", "post"])
    def notes(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return paginated(self, case.notes.all(), NoteSerializer)
        ser = NoteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        note = services.note_add(case=case, actor=request.user, body=ser.validated_data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=ServiceDeliverySerializer(many=True),
                   summary="Services delivered")
    @extend_schema(methods=["POST"], request=ServiceDeliverySerializer,
                   responses={201: ServiceDeliverySerializer}, summary="Record a service")
    @action(detail=True, methods=["get", "post"], url_path="services")
    def services_delivered(self, request, pk=None):
        case = self.get_object()

        def providers(ser):
            ser.fields["provider"].queryset = organisations_visible_to(request.user)

        return self._sub_list(
            request, case.services.select_related("subject"), ServiceDeliverySerializer,
            lambda data: services.service_add(case=case, actor=request.user, **data),
            context_setup=providers)

    @extend_schema(methods=["GET"], responses=ObjectiveSerializer(many=True),
                   summary="Support-plan objectives")
    @extend_schema(methods=["POST"], request=ObjectiveSerializer,
                   responses={201: ObjectiveSerializer}, summary="Add an objective")
    @action(detail=True, methods=["get", "post"])
    def objectives(self, request, pk=None):
        case = self.get_object()
        return self._sub_list(
            request, case.objectives.select_related("subject"), ObjectiveSerializer,
            lambda data: services.objective_add(case=case, actor=request.user, **data))

    @extend_schema(request=None, responses=ObjectiveSerializer,
                   summary="Mark an objective done",
                   parameters=[OpenApiParameter("objective_id", OpenApiTypes.UUID,
                                                OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"],
            url_path=r"objectives/(?P<objective_id>[^/.]+)/done")
    def objective_done(self, request, pk=None, objective_id=None):
        case = self.get_object()
        objective = get_or_404(case.objectives.select_related("case", "subject"), pk=objective_id)
        objective = services.objective_done(objective=objective, actor=request.user)
        return Response(ObjectiveSerializer(objective).data)

    @extend_schema(methods=["GET"], responses=TaskSerializer(many=True), summary="Tasks")
    @extend_schema(methods=["POST"], request=TaskSerializer, responses={201: TaskSerializer},
                   summary="Add a task")
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request, pk=None):
        case = self.get_object()

        def team(ser):
            ser.fields["assignee"].queryset = case_team(case)

        def add(data):
            return services.task_add(case=case, actor=request.user, title=data["title"],
                                     due_on=data["due_on"], assignee=data["assignee"])

        return self._sub_list(request, case.tasks.select_related("case", "subject"),
                              TaskSerializer, add, context_setup=team)

    @extend_schema(request=None, responses=TaskSerializer, summary="Mark a task done",
                   parameters=[OpenApiParameter("task_id", OpenApiTypes.UUID,
                                                OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"], url_path=r"tasks/(?P<task_id>[^/.]+)/done")
    def task_done(self, request, pk=None, task_id=None):
        case = self.get_object()
        task = get_or_404(case.tasks.select_related("case", "subject"), pk=task_id)
        task = services.task_done(task=task, actor=request.user)
        return Response(TaskSerializer(task).data)


@extend_schema(summary="The caller's open tasks across the cases they may see, soonest first")
class MyTaskViewSet(RefusesUnknownFilters, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return my_open_tasks(self.request.user)
