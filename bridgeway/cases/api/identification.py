"""Identification: assessments, decisions and their review, and the indicator sets."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bridgeway.cases import services
from bridgeway.cases.api.base import CaseActions
from bridgeway.cases.api.serializers import (
    AssessmentInSerializer,
    AssessmentPreviewInSerializer,
    AssessmentPreviewSerializer,
    AssessmentSerializer,
    DecisionSerializer,
    IndicatorSetSerializer,
    SideBySideSerializer,
)
from bridgeway.cases.indicator_sets import ensure_default_sets
from bridgeway.cases.models import Assessment, Decision, IndicatorSet
from bridgeway.cases.queries import case_orgs
from bridgeway.core.api import RefusesUnknownFilters
from bridgeway.core.api_schema import paginated
from bridgeway.core.shortcuts import get_or_404


class IdentificationActions(CaseActions):
    # Assessments, decisions, their approval and the side-by-side view.
    # (A comment, not a docstring: the case viewset would take it as its OpenAPI description.)

    @extend_schema(methods=["GET"], responses=AssessmentSerializer(many=True),
                   summary="Identification assessments")
    @extend_schema(methods=["POST"], request=AssessmentInSerializer,
                   responses={201: AssessmentSerializer}, summary="Record an assessment")
    @action(detail=True, methods=["get", "post"])
    def assessments(self, request, pk=None):
        case = self.get_object()
        context = {"subject": case.subject}
        if request.method == "GET":
            rows = case.assessments.select_related("indicator_set").prefetch_related("indicators")
            return paginated(self, rows, AssessmentSerializer, context=context)
        ser = AssessmentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        indicator_set = IndicatorSet.objects.filter(pk=ser.validated_data["indicator_set"]).first()
        if indicator_set is None:
            return Response({"indicator_set": [_("Unknown indicator set.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        entries = [services.IndicatorEntry(indicator_id=item["id"], source=item["source"],
                                           note=item["note"])
                   for item in ser.validated_data["indicators"]]
        assessment = services.assessment_record(case=case, actor=request.user,
                                                indicator_set=indicator_set, entries=entries,
                                                assessed_on=ser.validated_data["assessed_on"],
                                                note=ser.validated_data["note"])
        return Response(AssessmentSerializer(assessment, context=context).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentPreviewInSerializer, responses=AssessmentPreviewSerializer,
                   summary="What the combination rule gives for the indicators ticked so far "
                           "(saves nothing)")
    @action(detail=True, methods=["post"], url_path="assessment-preview")
    def assessment_preview(self, request, pk=None):
        from bridgeway.cases.queries import assessment_preview

        case = self.get_object()
        ser = AssessmentPreviewInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ensure_default_sets()
        indicator_set = IndicatorSet.objects.filter(pk=ser.validated_data["indicator_set"]).first()
        if indicator_set is None:
            return Response({"indicator_set": [_("Unknown indicator set.")]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(AssessmentPreviewSerializer(assessment_preview(
            case, indicator_set, set(ser.validated_data["indicators"]))).data)

    @extend_schema(methods=["GET"], responses=DecisionSerializer(many=True), summary="Decisions")
    @extend_schema(methods=["POST"], request=DecisionSerializer,
                   responses={201: DecisionSerializer},
                   summary="Record a decision; needs an assessment")
    @action(detail=True, methods=["get", "post"])
    def decisions(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return paginated(self, case.decisions.all(), DecisionSerializer)
        ser = DecisionSerializer(data=request.data)
        ser.fields["assessment"].queryset = Assessment.objects.filter(case=case)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        if data["received_from_state"]:
            if data.get("assessment") is not None:
                return Response({"assessment": [_("A formal identification from a state body "
                                                  "is not based on this organisation's "
                                                  "assessment; leave assessment out.")]},
                                status=status.HTTP_400_BAD_REQUEST)
            decision = services.formal_decision_record(
                case=case, actor=request.user, status=data["status"],
                decision_org=data.get("decision_org", ""),
                decision_body=data.get("decision_body", ""), decided_on=data.get("decided_on"))
        else:
            # The organisation's own kind, as a decision reads back, is accepted; another is not.
            own_kind = services.decision_org_for(case.organisation)
            extra = [f for f in ("decision_org", "decision_body")
                     if data.get(f) and not (f == "decision_org" and data[f] == own_kind)]
            if extra:
                return Response({f: [_("Only a formal identification received from a state "
                                       "body (received_from_state: true) names the deciding "
                                       "body; the organisation's own decisions take its kind.")]
                                 for f in extra}, status=status.HTTP_400_BAD_REQUEST)
            decision = services.decision_record(case=case, actor=request.user,
                                                assessment=data.get("assessment"),
                                                status=data["status"],
                                                decided_on=data.get("decided_on"))
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=SideBySideSerializer,
                   summary="The organisation's decision beside the formal state identification")
    @action(detail=True, methods=["get"])
    def identification(self, request, pk=None):
        from bridgeway.cases.queries import identification_side_by_side

        case = self.get_object()
        return Response(SideBySideSerializer(
            identification_side_by_side(list(case.decisions.all()))).data)

    def _review(self, request, decision_id, approve: bool):
        case = self.get_object()
        decision = get_or_404(Decision.objects.filter(case=case), pk=decision_id)
        decision = services.decision_approve(decision=decision, actor=request.user,
                                             approve=approve)
        return Response(DecisionSerializer(decision).data)

    @extend_schema(request=None, responses=DecisionSerializer,
                   summary="Approve a decision waiting for approval (a supervisor other than "
                           "the one who decided; others get 403)",
                   parameters=[OpenApiParameter("decision_id", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"],
            url_path=r"decisions/(?P<decision_id>[0-9]+)/approve")
    def decision_approve(self, request, pk=None, decision_id=None):
        return self._review(request, decision_id, approve=True)

    @extend_schema(request=None, responses=DecisionSerializer,
                   summary="Reject a decision waiting for approval (a supervisor other than "
                           "the one who decided; others get 403)",
                   parameters=[OpenApiParameter("decision_id", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"],
            url_path=r"decisions/(?P<decision_id>[0-9]+)/reject")
    def decision_reject(self, request, pk=None, decision_id=None):
        return self._review(request, decision_id, approve=False)


@extend_schema(summary="Active indicator sets with provenance and uncertainty flags")
class IndicatorSetViewSet(RefusesUnknownFilters, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorSetSerializer

    def get_queryset(self):
        ensure_default_sets()
        if not case_orgs(self.request.user):
            return IndicatorSet.objects.none()
        return IndicatorSet.objects.filter(is_active=True)
