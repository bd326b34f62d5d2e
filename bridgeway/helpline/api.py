"""Helpline contacts and the triage queue through the API, with the same scoping and rules as
the screens (so a telephony system or a chat gateway can record contacts), and the call-log
import with its dry run."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.cases import queries as case_queries
from bridgeway.core.api import list_filters
from bridgeway.core.api_schema import ModelSerializer, paginated
from bridgeway.helpline import queries, services
from bridgeway.helpline.codes import (
    CallerType,
    Channel,
    Direction,
    Outcome,
    ReachKind,
    Relation,
    Urgency,
    topic_labels,
)
from bridgeway.helpline.forms import FilterForm
from bridgeway.helpline.models import Contact

_FIELDS = ["id", "organisation", "reference", "source", "status", "held_reason", "channel",
           "direction", "started_at", "duration_minutes", "language", "caller_type",
           "relation", "topics", "urgency", "outcome", "referral", "case", "follow_up_due",
           "follow_up_done_at", "first_answered_at", "created_at", "reach_kind"]


class HelplineContactSerializer(ModelSerializer):
    """A contact without its personal text (lists and the triage queue read no key)."""

    topics = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Contact
        fields = _FIELDS
        read_only_fields = fields


class HelplineContactDetailSerializer(HelplineContactSerializer):
    """One contact with its text, decrypted (the read is recorded in the access log)."""

    summary = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()
    reach = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    earlier_contacts = serializers.SerializerMethodField(
        help_text="Earlier contacts of this organisation from the same number, handle or e-mail")

    class Meta(HelplineContactSerializer.Meta):
        fields = [*_FIELDS, "summary", "follow_up", "reach", "answers", "earlier_contacts"]
        read_only_fields = fields

    def get_summary(self, obj) -> str:
        return obj.summary or ""

    def get_follow_up(self, obj) -> str:
        return obj.follow_up or ""

    def get_reach(self, obj) -> str:
        return obj.reach or ""

    def get_answers(self, obj) -> dict[str, str]:
        return dict(obj.answers or {})

    def get_earlier_contacts(self, obj) -> list[str]:
        return [str(pk) for pk in queries.earlier_contacts(obj).values_list("pk", flat=True)[:50]]


class HelplineContactWriteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(required=False,
                                            help_text="Needed when you operate for several")
    channel = serializers.ChoiceField(choices=Channel.choices)
    started_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.INCOMING)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, default=None,
                                                min_value=0, max_value=1440)
    language = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=8)
    caller_type = serializers.ChoiceField(choices=CallerType.choices, required=False,
                                          allow_blank=True, default="")
    relation = serializers.ChoiceField(choices=Relation.choices, required=False,
                                       allow_blank=True, default="")
    topics = serializers.ListField(child=serializers.CharField(max_length=60), required=False,
                                   default=list, max_length=50,
                                   help_text="Codes: helpline topics, x:<exploitation type>, "
                                             "ilo:<indicator dimension>")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    summary = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=services.SUMMARY_LIMIT, trim_whitespace=False)
    follow_up = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=services.SHORT_LIMIT * 2)
    follow_up_due = serializers.DateField(required=False, allow_null=True, default=None)
    referral = serializers.UUIDField(required=False, allow_null=True, default=None)
    reach = serializers.CharField(required=False, allow_blank=True, default="",
                                  max_length=services.SHORT_LIMIT)
    reach_kind = serializers.ChoiceField(choices=ReachKind.choices, required=False,
                                         allow_blank=True, default="")

    def data_object(self) -> services.ContactData:
        d = dict(self.validated_data)
        d.pop("organisation", None)
        d["referral_id"] = d.pop("referral")
        return services.ContactData(**d)


class HelplineLinkSerializer(serializers.Serializer):
    case = serializers.UUIDField()


class HelplineReleaseSerializer(serializers.Serializer):
    discard = serializers.BooleanField(default=False)


def _raise(exc: DjangoValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else
                          {"non_field_errors": exc.messages})


@extend_schema_view(
    list=extend_schema(summary="Contacts of the caller's helpline organisations (filters: "
                               "channel, outcome)"),
    retrieve=extend_schema(responses=HelplineContactDetailSerializer,
                           summary="One contact, with its text (recorded in the access log)"),
)
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = HelplineContactSerializer
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        qs = queries.contacts_visible_to(self.request.user)
        if self.action == "list":
            p = list_filters(self.request, FilterForm).cleaned_data
            qs = queries.filtered_contacts(self.request.user, channel=p["channel"],
                                           outcome=p["outcome"])
        return qs.order_by("-started_at")

    def get_object(self):
        return queries.contact_for_user(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return HelplineContactDetailSerializer if self.action == "retrieve" else HelplineContactSerializer

    @extend_schema(request=HelplineContactWriteSerializer, responses={201: HelplineContactDetailSerializer},
                   summary="Record a contact (channel, time and outcome; the rest optional)")
    def create(self, request):
        body = HelplineContactWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        org = queries.org_for_operator(request.user, body.validated_data.get("organisation"))
        try:
            contact = services.contact_record(org=org, actor=request.user,
                                              data=body.data_object(), source="api")
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(HelplineContactDetailSerializer(contact).data, status=201)

    @extend_schema(request=HelplineContactWriteSerializer, responses=HelplineContactDetailSerializer,
                   summary="Answer or complete a contact (all its coded fields)")
    def update(self, request, pk=None):
        contact = self.get_object()
        body = HelplineContactWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            contact = services.contact_update(contact=contact, actor=request.user,
                                              data=body.data_object())
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(HelplineContactDetailSerializer(contact).data)

    @extend_schema(request=HelplineLinkSerializer, responses=HelplineContactSerializer,
                   summary="Link the contact to a case the caller works on")
    @action(detail=True, methods=["post"], url_path="link-case")
    def link_case(self, request, pk=None):
        contact = self.get_object()
        body = HelplineLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = case_queries.cases_visible_to(request.user).filter(
            pk=body.validated_data["case"]).first()
        if case is None:
            raise ValidationError({"case": ["No case you work on has this id."]})
        try:
            contact = services.contact_link_case(contact=contact, actor=request.user, case=case)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(HelplineContactSerializer(contact).data)

    @extend_schema(request=None, responses=HelplineContactSerializer,
                   summary="Open an anonymous first contact case from the contact and link it")
    @action(detail=True, methods=["post"], url_path="open-case")
    def open_case(self, request, pk=None):
        contact = self.get_object()
        try:
            services.contact_open_case(contact=contact, actor=request.user)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(HelplineContactSerializer(Contact.objects.get(pk=contact.pk)).data)

    @extend_schema(request=HelplineReleaseSerializer, responses=HelplineContactSerializer,
                   summary="Let a held submission into triage, or discard it")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        contact = self.get_object()
        body = HelplineReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            contact = services.contact_release(contact=contact, actor=request.user,
                                               discard=body.validated_data["discard"])
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(HelplineContactSerializer(contact).data)

    @extend_schema(request=None, responses=HelplineContactSerializer, summary="Mark the follow-up done")
    @action(detail=True, methods=["post"], url_path="follow-up-done")
    def follow_up_done(self, request, pk=None):
        contact = self.get_object()
        try:
            contact = services.follow_up_done(contact=contact, actor=request.user)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(HelplineContactSerializer(contact).data)

    @extend_schema(responses=HelplineContactSerializer(many=True),
                   summary="The triage queue: new web-form submissions, held ones, open "
                           "follow-ups (oldest first)")
    @action(detail=False, methods=["get"])
    def triage(self, request):
        return paginated(self, queries.triage_for(request.user).order_by("created_at"),
                         HelplineContactSerializer)


_REPORT = inline_serializer("CallLogImportReport", {
    "rows": serializers.IntegerField(), "problem_count": serializers.IntegerField(),
    "created": serializers.IntegerField(), "dry_run": serializers.BooleanField(),
    "problems": serializers.ListField(child=inline_serializer("CallLogProblem", {
        "row": serializers.IntegerField(), "column": serializers.CharField(),
        "problem": serializers.CharField()})),
})


class CallLogImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("CallLogImport", {
            "file": serializers.FileField(), "organisation": serializers.IntegerField(
                required=False), "dry_run": serializers.BooleanField(default=True)})},
        responses={200: _REPORT, 400: _REPORT},
        parameters=[OpenApiParameter("dry_run", bool, required=False, location="query",
                                     description="Same as the form field")],
        summary="Import a CSV/XLSX call log (date, channel, duration, topic, outcome): a dry "
                "run answers the report; an import with any problem writes nothing")
    def post(self, request):
        org = queries.org_for_operator(request.user, request.data.get("organisation"))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach the call log (CSV or XLSX)."]})
        dry = str(request.data.get("dry_run", request.query_params.get("dry_run", "true")))
        report = services.call_log_import(
            org=org, actor=request.user, content=upload.read(), filename=upload.name or "",
            dry_run=dry.lower() in ("1", "true", "yes", "on"))
        return Response(report.as_dict(), status=200 if report.ok else 400)


TOPIC_CODES = sorted(topic_labels())
