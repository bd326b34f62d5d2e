"""Cases through the API, with the same scoping and rules as the screens."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bridgeway.cases import services
from bridgeway.cases.codes import CaseStatus, Exploitation, IndicatorSource, TraffickingStatus
from bridgeway.cases.indicator_sets import ensure_default_sets
from bridgeway.cases.models import Assessment, Case, CaseNote, Decision, IndicatorSet
from bridgeway.cases.queries import case_orgs, filtered_cases
from bridgeway.orgs.queries import organisation_for_user


class PersonSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    second_name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                        default="")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    age = serializers.IntegerField(required=False, allow_null=True, default=None)
    gender = serializers.CharField(required=False, allow_blank=True, default="")
    citizenship = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CaseSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    assignees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "organisation", "status", "close_reason", "opened_on",
                  "closed_on", "is_child", "age_at_intake", "gender", "citizenship",
                  "trafficking_status", "exploitation_types", "forced_labour_industry",
                  "recruitment_methods", "control_methods", "relationship_to_trafficker",
                  "recruitment_country", "exploitation_country", "assignees", "version", "name"]
        read_only_fields = fields

    def get_name(self, obj) -> str | None:
        if obj.subject is None or obj.subject.is_erased:
            return None
        return obj.subject.display_name  # decrypted: recorded in the access log


class CaseCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    person = PersonSerializer()
    opened_on = serializers.DateField(required=False, allow_null=True, default=None)
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Exploitation.choices), required=False, default=list)


class CaseUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="the version you read; a stale one gets 409")
    seen = serializers.DictField(required=False, default=dict,
                                 help_text="the values you read, to name what changed on 409")
    data = serializers.DictField(help_text="context fields to change")


class NoteSerializer(serializers.ModelSerializer):
    body = serializers.CharField(max_length=20000)

    class Meta:
        model = CaseNote
        fields = ["id", "author", "created_at", "body"]
        read_only_fields = ["id", "author", "created_at"]


class AssessmentInSerializer(serializers.Serializer):
    indicator_set = serializers.IntegerField()
    indicators = serializers.ListField(child=serializers.DictField(), default=list,
                                       help_text='[{"id": "...", "source": "self_report"}]')
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["id", "indicator_set", "decision_org", "assessed_on", "child_rules", "result"]


class DecisionSerializer(serializers.ModelSerializer):
    assessment = serializers.PrimaryKeyRelatedField(queryset=Assessment.objects.none(),
                                                    required=False, allow_null=True)
    status = serializers.ChoiceField(choices=TraffickingStatus.choices)

    class Meta:
        model = Decision
        fields = ["id", "assessment", "status", "decision_org", "decided_on", "state"]
        read_only_fields = ["id", "decision_org", "state"]
        extra_kwargs = {"decided_on": {"required": False}}


class IndicatorSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorSet
        fields = ["id", "code", "version", "label", "for_child", "for_sexual_exploitation",
                  "uncertain", "rule_uncertain", "provenance", "source", "data", "rule"]


@extend_schema_view(
    list=extend_schema(summary="Cases the caller may see", parameters=[
        OpenApiParameter("status", str, enum=CaseStatus.values),
        OpenApiParameter("exploitation", str, enum=Exploitation.values),
        OpenApiParameter("child", bool)]),
    retrieve=extend_schema(summary="One case (its reading is recorded in the access log)"),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer

    def get_queryset(self):
        params = self.request.query_params
        child = params.get("child")
        return filtered_cases(
            self.request.user, status=params.get("status", ""),
            exploitation=params.get("exploitation", ""),
            child=None if child in (None, "") else child in ("1", "true")).select_related(
            "subject").prefetch_related("assignees")

    def get_object(self):
        from bridgeway.cases.queries import case_for_user

        return case_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer},
                   summary="Open a case (intake)")
    def create(self, request):
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        org = organisation_for_user(request.user, data["organisation"])
        if org not in case_orgs(request.user):
            raise Http404
        case = services.case_open(org=org, actor=request.user, opened_on=data["opened_on"],
                                  exploitation_types=data["exploitation_types"],
                                  person=services.PersonData(**data["person"]))
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses={200: CaseSerializer},
                   summary="Change the coded context; 409 when someone saved in between")
    def partial_update(self, request, pk=None):
        case = self.get_object()
        ser = CaseUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            updated = services.case_update(case=case, actor=request.user,
                                           version=ser.validated_data["version"],
                                           data=ser.validated_data["data"],
                                           seen=ser.validated_data["seen"])
        except services.EditConflict as exc:
            return Response({"detail": exc.messages[0], "changed": exc.changed},
                            status=status.HTTP_409_CONFLICT)
        return Response(CaseSerializer(updated).data)

    @extend_schema(request=NoteSerializer, responses=NoteSerializer(many=True),
                   summary="Notes (GET) or add one (POST)")
    @action(detail=True, methods=["get", "post"])
    def notes(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(NoteSerializer(case.notes.all(), many=True).data)
        ser = NoteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        note = services.note_add(case=case, actor=request.user, body=ser.validated_data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentInSerializer, responses=AssessmentSerializer(many=True),
                   summary="Identification assessments (GET) or record one (POST)")
    @action(detail=True, methods=["get", "post"])
    def assessments(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(AssessmentSerializer(case.assessments.all(), many=True).data)
        ser = AssessmentInSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        indicator_set = IndicatorSet.objects.filter(pk=ser.validated_data["indicator_set"]).first()
        if indicator_set is None:
            return Response({"indicator_set": ["Unknown indicator set."]},
                            status=status.HTTP_400_BAD_REQUEST)
        entries = []
        for item in ser.validated_data["indicators"]:
            if not isinstance(item.get("id"), str):
                return Response({"indicators": ["Each indicator needs an id."]},
                                status=status.HTTP_400_BAD_REQUEST)
            entries.append(services.IndicatorEntry(
                indicator_id=item["id"], source=item.get("source", IndicatorSource.SELF_REPORT)))
        assessment = services.assessment_record(case=case, actor=request.user,
                                                indicator_set=indicator_set, entries=entries,
                                                assessed_on=ser.validated_data["assessed_on"])
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=DecisionSerializer(many=True),
                   summary="Decisions (GET) or record one (POST); needs an assessment")
    @action(detail=True, methods=["get", "post"])
    def decisions(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(DecisionSerializer(case.decisions.all(), many=True).data)
        ser = DecisionSerializer(data=request.data)
        ser.fields["assessment"].queryset = Assessment.objects.filter(case=case)
        ser.is_valid(raise_exception=True)
        decision = services.decision_record(case=case, actor=request.user,
                                            assessment=ser.validated_data.get("assessment"),
                                            status=ser.validated_data["status"],
                                            decided_on=ser.validated_data.get("decided_on"))
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Active indicator sets with provenance and uncertainty flags")
class IndicatorSetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorSetSerializer

    def get_queryset(self):
        ensure_default_sets()
        if not case_orgs(self.request.user):
            return IndicatorSet.objects.none()
        return IndicatorSet.objects.filter(is_active=True)


