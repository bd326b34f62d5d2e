"""Referrals through the API, with the same scoping and rules as the screens: a referral the
caller is not party to answers 404; the recipient's `shared` holds exactly the chosen sections,
read live, and only while the referral is pending or accepted."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.cases.queries import case_for_user
from bridgeway.core.api import list_filters
from bridgeway.core.api_schema import UPLOADED_FILE, ModelSerializer, file_response
from bridgeway.orgs.codes import Service
from bridgeway.orgs.queries import organisation_member_for_user, organisations_visible_to, roles_in
from bridgeway.protection.responses import document_response
from bridgeway.referrals import queries, services
from bridgeway.referrals.api.package import PackageActions
from bridgeway.referrals.api.thread import ThreadActions
from bridgeway.referrals.codes import DeclineReason, ReferralReason, Section, Status, Urgency
from bridgeway.referrals.models import Referral
from bridgeway.referrals.queries import RECIPIENT, SENDER


class IdentitySerializer(serializers.Serializer):
    first_name = serializers.CharField(allow_null=True)
    second_name = serializers.CharField(allow_null=True)
    birth_date = serializers.DateField(allow_null=True)
    age_at_intake = serializers.IntegerField(allow_null=True)
    gender = serializers.CharField()
    citizenship = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    address = serializers.DictField(allow_null=True)


class SharedEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    country = serializers.CharField()
    place = serializers.CharField(allow_null=True)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)


class VictimContextSerializer(serializers.Serializer):
    is_child = serializers.BooleanField()
    trafficking_status = serializers.CharField()
    exploitation_types = serializers.ListField(child=serializers.CharField())
    forced_labour_industry = serializers.CharField()
    recruitment_methods = serializers.ListField(child=serializers.CharField())
    control_methods = serializers.ListField(child=serializers.CharField())
    relationship_to_trafficker = serializers.CharField()
    recruitment_country = serializers.CharField()
    exploitation_country = serializers.CharField()
    events = SharedEventSerializer(many=True)


class SharedAssessmentSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    indicator_set = serializers.CharField()
    version = serializers.IntegerField()
    decision_org = serializers.CharField()
    indicators = serializers.ListField(child=serializers.CharField())
    indicates_trafficking = serializers.BooleanField()


class SharedDecisionSerializer(serializers.Serializer):
    status = serializers.CharField()
    decision_org = serializers.CharField()
    decided_on = serializers.DateField()
    state = serializers.CharField()


class IdentificationSerializer(serializers.Serializer):
    assessments = SharedAssessmentSerializer(many=True)
    decisions = SharedDecisionSerializer(many=True)


class SharedObjectiveSerializer(serializers.Serializer):
    objective = serializers.CharField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)


class NeedsSerializer(serializers.Serializer):
    services_requested = serializers.ListField(child=serializers.CharField())
    objectives = SharedObjectiveSerializer(many=True)


class SharedDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class SharedSerializer(serializers.Serializer):
    """Only the sections the sender chose are present."""

    identity = IdentitySerializer(required=False)
    contact = ContactSerializer(required=False)
    victim_context = VictimContextSerializer(required=False)
    identification = IdentificationSerializer(required=False)
    needs = NeedsSerializer(required=False)
    documents = SharedDocumentSerializer(many=True, required=False)


class ReferralSerializer(ModelSerializer):
    side = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    reason_text = serializers.SerializerMethodField()
    shared = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["id", "reference", "side", "case", "sender", "recipient", "kind", "sections",
                  "services", "reason", "reason_text", "urgency", "status", "deadline", "overdue",
                  "sent_at", "accepted_at", "declined_at", "decline_reason", "completed_at",
                  "revoked_at", "expired_at", "transferred_at", "recipient_case", "shared",
                  "offplatform_name", "offplatform_country", "offplatform_type",
                  "package_language", "handed_over_at", "handed_over_by"]
        read_only_fields = fields

    def _side(self, obj) -> str:
        return self.context["sides"].get(obj.pk, RECIPIENT)

    def get_side(self, obj) -> str:
        return self._side(obj)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_case(self, obj):
        """The referred case: for the sender only."""
        return str(obj.case_id) if self._side(obj) == SENDER else None

    def get_overdue(self, obj) -> bool:
        return queries.is_overdue(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason_text(self, obj):
        if self._side(obj) == SENDER or (self.context.get("detail") and queries.shares_now(obj)):
            return obj.reason_text
        return None

    @extend_schema_field(SharedSerializer(allow_null=True))
    def get_shared(self, obj):
        """Recipient, detail only, while pending or accepted: the chosen sections, read live."""
        if self._side(obj) != RECIPIENT or not self.context.get("detail") \
                or not queries.shares_now(obj):
            return None
        return SharedSerializer(queries.shared_sections(obj)).data


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    recipient = serializers.IntegerField()
    sections = serializers.ListField(child=serializers.ChoiceField(choices=Section.choices))
    services = serializers.ListField(child=serializers.ChoiceField(choices=Service.choices))
    reason = serializers.ChoiceField(choices=ReferralReason.choices)
    reason_text = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000,
        help_text="supervisors only, when no consent is recorded; audited")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TransferSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="must be true: the case and the person's data "
                                                 "move to the recipient")


class ReferralFilters(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["incoming", "outgoing"], required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)


@extend_schema_view(
    list=extend_schema(summary="Referrals the caller sent or received", parameters=[
        OpenApiParameter("direction", str, enum=["incoming", "outgoing"]),
        OpenApiParameter("status", str, enum=Status.values)]),
    retrieve=extend_schema(summary="One referral; the recipient gets the shared sections"),
)
class ReferralViewSet(ThreadActions, PackageActions, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()

    def get_queryset(self):
        user = self.request.user
        filters = list_filters(self.request, ReferralFilters).validated_data
        direction = filters.get("direction", "")
        outgoing = queries.outgoing_for(user)
        incoming = queries.incoming_for(user)
        if direction == "incoming":
            qs = incoming
        elif direction == "outgoing":
            qs = outgoing
        else:
            qs = Referral.objects.filter(pk__in=outgoing.values("pk")) | \
                Referral.objects.filter(pk__in=incoming.values("pk"))
        wanted = filters.get("status", "")
        if wanted:
            qs = qs.filter(status=wanted)
        return qs.order_by("-sent_at")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["sides"] = {pk: SENDER for pk in
                            queries.outgoing_for(user).values_list("pk", flat=True)} \
            if getattr(user, "is_authenticated", False) else {}
        return context

    def _get(self):
        referral, side = queries.referral_for_user(self.request.user, self.kwargs["pk"])
        if side == RECIPIENT and referral.status in (Status.REVOKED, Status.EXPIRED):
            raise Http404
        return referral, side

    def _out(self, referral, side, code=status.HTTP_200_OK):
        referral.refresh_from_db()
        return Response(ReferralSerializer(referral, context={
            "sides": {referral.pk: side}, "detail": True, "request": self.request}).data,
            status=code)

    def retrieve(self, request, pk=None):
        referral, side = self._get()
        return self._out(referral, side)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer},
                   summary="Refer a case (needs consent, or a supervisor's override)")
    def create(self, request):
        ser = ReferralCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        case = case_for_user(request.user, data["case"])
        recipient = organisations_visible_to(request.user).filter(pk=data["recipient"]).first()
        referral = services.referral_send(
            case=case, actor=request.user, recipient=recipient, sections=data["sections"],
            services=data["services"], reason=data["reason"], reason_text=data["reason_text"],
            urgency=data["urgency"], deadline=data["deadline"],
            override_reason=data["override_reason"])
        return self._out(referral, SENDER, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReferralSerializer, summary="Accept (recipient)")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        referral, side = self._get()
        if side != RECIPIENT:
            raise Http404
        services.referral_accept(referral=referral, actor=request.user)
        return self._out(referral, side)

    @extend_schema(request=DeclineSerializer, responses=ReferralSerializer,
                   summary="Decline with a reason (recipient)")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        referral, side = self._get()
        if side != RECIPIENT:
            raise Http404
        ser = DeclineSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.referral_decline(referral=referral, actor=request.user,
                                  reason=ser.validated_data["reason"],
                                  text=ser.validated_data["text"])
        return self._out(referral, side)

    @extend_schema(request=None, responses=ReferralSerializer,
                   summary="Mark an accepted referral completed (either side)")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        referral, side = self._get()
        services.referral_complete(referral=referral, actor=request.user)
        return self._out(referral, side)

    @extend_schema(request=None, responses=ReferralSerializer,
                   summary="Revoke (sender): the recipient's access ends at once")
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        referral, side = self._get()
        if side != SENDER:
            raise Http404
        services.referral_revoke(referral=referral, actor=request.user)
        return self._out(referral, side)

    @extend_schema(request=TransferSerializer, responses=ReferralSerializer,
                   summary="Transfer ownership of the case to the recipient (sender's supervisor)")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        referral, side = self._get()
        if side != SENDER:
            raise Http404
        ser = TransferSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.referral_transfer(referral=referral, actor=request.user,
                                   confirm=ser.validated_data["confirm"])
        return self._out(referral, side)

    @extend_schema(responses=file_response(description=UPLOADED_FILE),
                   summary="Download a shared document (recipient, while the referral is active)")
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>[0-9a-f-]{36})")
    def document(self, request, pk=None, document_id=None):
        referral, side = self._get()
        if side != RECIPIENT:
            raise Http404
        doc = queries.shared_document(referral, document_id)
        return document_response(user=request.user, doc=doc, screen="api-referral-document")


class ReferralSettingsSerializer(serializers.Serializer):
    urgent_hours = serializers.IntegerField(min_value=1, max_value=72)
    normal_working_days = serializers.IntegerField(min_value=1, max_value=30)
    low_working_days = serializers.IntegerField(min_value=1, max_value=30)


class ReferralSettingsView(APIView):
    def _org(self, request, org_pk):
        org = organisation_member_for_user(request.user, org_pk)
        if not roles_in(request.user, org) & services.SETTINGS_ROLES:
            raise Http404
        return org

    @extend_schema(responses=ReferralSettingsSerializer,
                   summary="Response times for referrals this organisation sends")
    def get(self, request, org_pk):
        conf = queries.settings_for(self._org(request, org_pk))
        return Response(ReferralSettingsSerializer(conf).data)

    @extend_schema(request=ReferralSettingsSerializer, responses=ReferralSettingsSerializer,
                   summary="Change the response times (administrators and supervisors)")
    def put(self, request, org_pk):
        org = self._org(request, org_pk)
        ser = ReferralSettingsSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        conf = services.referral_settings_set(org=org, actor=request.user, **ser.validated_data)
        return Response(ReferralSettingsSerializer(conf).data)


class StatisticsGroupSerializer(serializers.Serializer):
    label = serializers.CharField()
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    accepted = serializers.IntegerField()
    declined = serializers.IntegerField()
    expired = serializers.IntegerField()
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True)
    median_hours = serializers.FloatField(allow_null=True)
    slowest_hours = serializers.FloatField(allow_null=True)


class StalledSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="empty for a network's view")
    sender = serializers.CharField()
    recipient = serializers.CharField()
    waiting_hours = serializers.FloatField()
    overdue = serializers.BooleanField()


class StatisticsSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["organisation", "network"])
    total = StatisticsGroupSerializer()
    by_organisation = StatisticsGroupSerializer(many=True)
    by_type = StatisticsGroupSerializer(many=True)
    pathways = StatisticsGroupSerializer(many=True)
    stalled = StalledSerializer(many=True)


class ReferralStatisticsView(APIView):
    @extend_schema(
        summary="Referral statistics: response times, acceptance, stalled referrals, pathways",
        parameters=[OpenApiParameter("since", OpenApiTypes.DATE),
                    OpenApiParameter("until", OpenApiTypes.DATE)],
        responses=StatisticsSerializer)
    def get(self, request):
        from bridgeway.referrals.statistics import referral_statistics
        from bridgeway.referrals.views.statistics import PeriodForm

        form = PeriodForm(request.query_params)
        if not form.is_valid():
            return Response(form.errors, status=400)
        data = referral_statistics(request.user, since=form.cleaned_data.get("since"),
                                   until=form.cleaned_data.get("until"))
        for row in data["stalled"]:
            row.pop("pk", None)
        return Response(StatisticsSerializer(data).data)
