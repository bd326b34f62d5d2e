"""Cases through the API, with the same scoping and rules as the screens."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
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
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from bridgeway.cases import changes, services
from bridgeway.cases.codes import (
    CaseStatus,
    CloseReason,
    ContactChannel,
    ControlMethod,
    DecisionOrg,
    Exploitation,
    ForcedLabourIndustry,
    Gender,
    IdentityDocumentKind,
    IndicatorSource,
    RecruitmentMethod,
    Relationship,
    TraffickingStatus,
)
from bridgeway.cases.indicator_sets import ensure_default_sets
from bridgeway.cases.models import (
    Assessment,
    Case,
    CaseNote,
    CaseTask,
    Decision,
    IndicatorSet,
    Perpetrator,
    PlanObjective,
    ServiceDelivery,
    TraffickingEvent,
)
from bridgeway.cases.queries import (
    case_orgs,
    case_person,
    case_settings_for,
    case_staff,
    case_team,
    cases_visible_to,
    filtered_cases,
    intake_matches,
    my_open_tasks,
)
from bridgeway.core.api import RefusesUnknownFilters, list_filters
from bridgeway.core.api_schema import ModelSerializer, OptionalTextField, paginated
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import organisation_for_user, organisations_visible_to
from bridgeway.protection.queries import (
    name_digests,
    subject_ids_by_digests,
)


class _OnlyKnownKeys:
    """Refuses keys the serializer does not have, naming each, instead of ignoring them (a
    client sending {"status": ...} would otherwise get 200 and think it was saved)."""

    refuses_unknown_keys = True  # the schema says additionalProperties: false

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {k: [_("Unknown field: it cannot be changed here.")] for k in unknown})
        return super().to_internal_value(data)


class AddressSerializer(_OnlyKnownKeys, serializers.Serializer):
    street = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    state = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                        default="")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="",
                                    help_text="ISO 3166-1 alpha-2")


class IdentityDocumentSerializer(_OnlyKnownKeys, serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentityDocumentKind.choices)
    number = serializers.CharField(max_length=60)


class PersonSerializer(_OnlyKnownKeys, serializers.Serializer):
    """The person at intake: every field given is stored; any other key is refused, naming it."""

    first_name = serializers.CharField(max_length=100)
    second_name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                        default="")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    age = serializers.IntegerField(required=False, allow_null=True, default=None)
    gender = serializers.CharField(required=False, allow_blank=True, default="")
    citizenship = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    address = AddressSerializer(required=False, allow_null=True, default=None)
    identity_documents = IdentityDocumentSerializer(many=True, required=False, default=list)


class CaseSerializer(ModelSerializer):
    name = serializers.SerializerMethodField()
    assignees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "organisation", "status", "close_reason", "opened_on",
                  "closed_on", "is_child", "age_at_intake", "gender", "citizenship",
                  "trafficking_status", "exploitation_types", "forced_labour_industry",
                  "recruitment_methods", "control_methods", "relationship_to_trafficker",
                  "recruitment_country", "exploitation_country", "assignees", "version", "name",
                  "is_first_contact", "contact_channel"]
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
    confirm_new = serializers.BooleanField(
        required=False, default=False,
        help_text="true when the caller has seen the possible duplicates (409) and this is a "
                  "different person")


class DuplicateSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class DuplicateConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    possible_duplicates = DuplicateSerializer(many=True, help_text="cases the caller may open")
    others = serializers.IntegerField(
        help_text="possible duplicates in the organisation that the caller may not open")


class CaseFilterSerializer(serializers.Serializer):
    """The filters of the case list, the same as the screen's. A value that cannot be used is a
    400 naming the parameter, never an empty list that looks like "no such case"."""

    organisation = serializers.IntegerField(required=False, help_text="one of the caller's "
                                            "organisations; default: all of them")
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), required=False,
        help_text="id of a caseworker or supervisor of the caller's organisations")
    exploitation = serializers.ChoiceField(choices=Exploitation.choices, required=False)
    opened_from = serializers.DateField(required=False)
    opened_to = serializers.DateField(required=False)
    child = serializers.BooleanField(required=False, allow_null=True, default=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.orgs = list(case_orgs(user)) if user is not None else []
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            memberships__organisation__in=self.orgs, memberships__is_active=True,
            memberships__role__in=[Role.CASEWORKER, Role.SUPERVISOR]).distinct()

    def validate_organisation(self, value):
        org = next((o for o in self.orgs if o.pk == value), None)
        if org is None:
            raise serializers.ValidationError(gettext_lazy(
                "Not one of your organisations with case work."))
        return org

    def validate(self, attrs):
        start, end = attrs.get("opened_from"), attrs.get("opened_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"opened_to": [_("The end of the period is before its start.")]})
        return attrs

    def cases(self, user, *, subject_ids=None):
        data = self.validated_data
        cases = filtered_cases(
            user, status=data.get("status", ""), assignee=data.get("assignee"),
            exploitation=data.get("exploitation", ""), child=data.get("child"),
            opened_from=data.get("opened_from"), opened_to=data.get("opened_to"),
            subject_ids=subject_ids)
        if data.get("organisation") is not None:
            cases = cases.filter(organisation=data["organisation"])
        return cases.select_related("subject").prefetch_related("assignees")


class CaseSearchSerializer(CaseFilterSerializer):
    name = serializers.CharField(max_length=200, help_text="the name searched for; every word "
                                 "must match a word of the person's name")
    fuzzy = serializers.BooleanField(required=False, default=True,
                                     help_text="match by sound (default) or exactly")

    def search_orgs(self):
        org = self.validated_data.get("organisation")
        return [org] if org is not None else self.orgs


def _codes(choices, help_text):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices), required=False, help_text=help_text,
        error_messages={"not_a_list": _('This must be a list of codes, not "{input_type}".')})


def _country():
    # Checked against the ISO list by the service, like the form's choice.
    return serializers.CharField(required=False, allow_blank=True, max_length=2,
                                 help_text='ISO 3166-1 alpha-2 country code; "" for none')


def _code(choices, help_text):
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True,
                                   help_text=help_text + '; "" for none')


class ContextDataSerializer(_OnlyKnownKeys, serializers.Serializer):
    """The victim context as the edit form offers it: the same fields and value lists, lists of
    codes where the form has checkboxes. Any other key is refused, naming it."""

    gender = _code(Gender.choices, "prs_Gender")
    citizenship = _country()
    exploitation_types = _codes(Exploitation.choices, "vic_TypeOfExploitation")
    forced_labour_industry = _code(ForcedLabourIndustry.choices, "vic_ForcedLabourIndustry")
    recruitment_methods = _codes(RecruitmentMethod.choices, "vic_MethodOfRecruitment")
    control_methods = _codes(ControlMethod.choices, "vic_Methods_of_Control")
    relationship_to_trafficker = _code(Relationship.choices, "vic_RelationshipToTrafficker")
    recruitment_country = _country()
    exploitation_country = _country()


class _VersionedUpdate(_OnlyKnownKeys, serializers.Serializer):
    """An edit that must not overwrite someone else's: the version read and what was seen.

    A PATCH is partial in `data` (send only the fields to change); `version` and `data` are
    always required, so this envelope is never partial itself — also in the schema, which
    would otherwise make every field of a PATCH body optional."""

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass

    version = serializers.IntegerField(help_text="the case version you read; a stale one gets "
                                                 "409")
    seen = serializers.DictField(required=False, default=dict,
                                 help_text="the values you read, to name what changed on 409")


class CaseUpdateSerializer(_VersionedUpdate):
    data = ContextDataSerializer(help_text="context fields to change; others are refused")


class NoteSerializer(ModelSerializer):
    body = serializers.CharField(max_length=20000)

    class Meta:
        model = CaseNote
        fields = ["id", "author", "created_at", "body"]
        read_only_fields = ["id", "author", "created_at"]


class IndicatorInSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=120)
    source = serializers.ChoiceField(choices=IndicatorSource.choices,
                                     default=IndicatorSource.SELF_REPORT)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AssessmentInSerializer(serializers.Serializer):
    indicator_set = serializers.IntegerField()
    indicators = IndicatorInSerializer(many=True, required=False, default=list)
    assessed_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class RecordedIndicatorSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    strength = serializers.CharField()
    strength_label = serializers.CharField()
    source = serializers.CharField()
    source_label = serializers.CharField()
    note = serializers.CharField()


class IndicatorGroupSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="dimension id")
    label = serializers.CharField()
    indicators = RecordedIndicatorSerializer(many=True)


class AssessmentSerializer(ModelSerializer):
    """An assessment with its recorded indicators grouped by dimension and the "why" of its
    result in the reader's language (from the stored codes and counts)."""

    indicators = serializers.SerializerMethodField()
    why = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    not_verified = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "indicator_set", "decision_org", "assessed_on", "child_rules", "result",
                  "not_verified", "why", "indicators", "note"]

    def _details(self, obj) -> dict:
        cache = self.context.setdefault("_details", {})
        if obj.pk not in cache:
            from bridgeway.cases.queries import assessment_details

            cache[obj.pk] = assessment_details([obj], subject=self.context.get("subject"))[0]
        return cache[obj.pk]

    @extend_schema_field(IndicatorGroupSerializer(many=True))
    def get_indicators(self, obj) -> list:
        return self._details(obj)["groups"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_why(self, obj) -> dict:
        return self._details(obj)["why"]

    def get_note(self, obj) -> str | None:
        subject = self.context.get("subject")
        if subject is not None and obj.subject_id == subject.pk:
            obj.subject = subject  # the case's person, loaded once: no query per row
        return obj.note

    def get_not_verified(self, obj) -> bool:
        return obj.indicator_set.uncertain or obj.indicator_set.rule_uncertain


class DecisionSerializer(ModelSerializer):
    """The organisation's own decision (needs one of its assessments), or with
    received_from_state a formal identification from a state body: then decision_org (the kind
    of body), decision_body (which one) and decided_on are required and no assessment."""

    assessment = serializers.PrimaryKeyRelatedField(queryset=Assessment.objects.none(),
                                                    required=False, allow_null=True)
    status = serializers.ChoiceField(choices=TraffickingStatus.choices)
    decision_org = serializers.ChoiceField(choices=DecisionOrg.choices, required=False)
    decision_body = serializers.CharField(required=False, allow_blank=True, max_length=200)
    received_from_state = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Decision
        fields = ["id", "assessment", "status", "decision_org", "decided_on", "state",
                  "received_from_state", "decision_body"]
        read_only_fields = ["id", "state"]
        extra_kwargs = {"decided_on": {"required": False}}


class SideBySideSerializer(serializers.Serializer):
    cso = DecisionSerializer(allow_null=True, help_text="this organisation's decision in force")
    formal = DecisionSerializer(allow_null=True, help_text="the formal state identification")
    differ = serializers.BooleanField()


class ServiceDeliverySerializer(ModelSerializer):
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), required=False, allow_null=True, default=None,
        help_text="id of an organisation in the directory; or give provider_other")
    note = OptionalTextField(max_length=2000)

    class Meta:
        model = ServiceDelivery
        fields = ["id", "service", "provider", "provider_other", "started_on", "ended_on",
                  "outcome", "note", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]
        extra_kwargs = {"ended_on": {"default": None}, "provider_other": {"default": ""},
                        "outcome": {"default": "ongoing"}}


class ObjectiveSerializer(ModelSerializer):
    objective = serializers.CharField(max_length=2000)

    class Meta:
        model = PlanObjective
        fields = ["id", "objective", "due_on", "done_on", "created_at"]
        read_only_fields = ["id", "done_on", "created_at"]
        extra_kwargs = {"due_on": {"default": None}}


class TaskSerializer(ModelSerializer):
    title = serializers.CharField(max_length=500)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), required=False, allow_null=True, default=None,
        help_text="a supervisor of the organisation or a caseworker assigned to the case; "
                  "default: the caller")
    case_reference = serializers.CharField(source="case.reference", read_only=True)

    class Meta:
        model = CaseTask
        fields = ["id", "case", "case_reference", "title", "due_on", "assignee", "done_at",
                  "created_at"]
        read_only_fields = ["id", "case", "done_at", "created_at"]


class EventSerializer(ModelSerializer):
    place = OptionalTextField(max_length=200)

    class Meta:
        model = TraffickingEvent
        fields = ["id", "kind", "country", "place", "date_from", "date_to"]
        read_only_fields = ["id"]
        extra_kwargs = {"country": {"default": ""}, "date_from": {"default": None},
                        "date_to": {"default": None}}


class PerpetratorSerializer(ModelSerializer):
    description = OptionalTextField(max_length=2000)

    class Meta:
        model = Perpetrator
        fields = ["id", "relationship", "citizenship", "description"]
        read_only_fields = ["id"]
        extra_kwargs = {"relationship": {"default": ""}, "citizenship": {"default": ""}}


class AssignSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="the case version you read; a stale one gets 409")
    seen_assignees = serializers.ListField(
        child=serializers.IntegerField(), required=False,
        help_text="the caseworkers' ids you read, so that a 409 can say whether they changed")
    assignees = serializers.PrimaryKeyRelatedField(
        many=True, queryset=get_user_model().objects.none(),
        help_text="ids of caseworkers or supervisors of the case's organisation; replaces the "
                  "current list")


class StatusSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="the case version you read; a stale one gets 409")
    seen_status = serializers.ChoiceField(
        choices=CaseStatus.choices, required=False,
        help_text="the status you read, so that a 409 can say whether it changed")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    close_reason = serializers.ChoiceField(choices=CloseReason.choices, required=False,
                                           allow_blank=True, default="",
                                           help_text="required when closing; 'referred' "
                                                     "exactly when the status is "
                                                     "ClosedReferred")


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField(help_text="translated")
    value = serializers.CharField(help_text="the value now saved, as shown to people")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    changed = serializers.ListField(child=serializers.CharField(),
                                    help_text="fields someone else changed since `seen`")
    changes = ChangeSerializer(many=True)
    version = serializers.IntegerField(help_text="the current version: send it to save anyway")


def _conflict(exc) -> Response:
    return Response(ConflictSerializer({
        "detail": exc.messages[0], "changed": exc.changed, "version": exc.version,
        "changes": [vars(c) for c in exc.changes]}).data, status=status.HTTP_409_CONFLICT)


class PersonDataSerializer(_OnlyKnownKeys, serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False)
    second_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    age = serializers.IntegerField(required=False, allow_null=True,
                                   help_text="age at intake, when the date of birth is unknown")
    gender = serializers.CharField(required=False, allow_blank=True)
    citizenship = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = AddressSerializer(
        required=False, allow_null=True,
        help_text="replaced whole: parts left out are emptied; null clears the address")
    identity_documents = IdentityDocumentSerializer(many=True, required=False)


class PersonOutSerializer(serializers.Serializer):
    first_name = serializers.CharField()
    second_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    gender = serializers.CharField()
    citizenship = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address = AddressSerializer()
    identity_documents = IdentityDocumentSerializer(many=True)
    is_child = serializers.BooleanField()
    version = serializers.IntegerField(help_text="the case version; send it back with a change")


class PersonCorrectedSerializer(PersonOutSerializer):
    corrected = serializers.ListField(child=serializers.CharField(),
                                     help_text="the fields that changed")
    child_changed = serializers.BooleanField(
        help_text="true when the correction made the case a child's case or an adult's")


class PersonUpdateSerializer(_VersionedUpdate):
    data = PersonDataSerializer(help_text="the fields to correct; others stay as they are")


class CaseSettingsSerializer(serializers.Serializer):
    decisions_need_approval = serializers.BooleanField(
        help_text="caseworkers' identification decisions wait for a supervisor's approval")


class FirstContactSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    contact_channel = serializers.ChoiceField(choices=ContactChannel.choices)
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Exploitation.choices), required=False, default=list)


class IndicatorSetSerializer(ModelSerializer):
    class Meta:
        model = IndicatorSet
        fields = ["id", "code", "version", "label", "for_child", "for_sexual_exploitation",
                  "uncertain", "rule_uncertain", "provenance", "source", "data", "rule"]


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
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer

    def get_queryset(self):
        filters = list_filters(self.request, CaseFilterSerializer, user=self.request.user)
        return filters.cases(self.request.user)

    @extend_schema(
        request=CaseSearchSerializer,
        responses={200: CaseSerializer(many=True), 400: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("page", int, description="the page of the result")],
        summary="Search cases by name (exact or by sound) through the blind indexes",
        description="The name travels in the body, never in a URL; the answer is not cached "
                    "(Cache-Control: no-store). Same scope and filters as the list; the next "
                    "page is the same POST with ?page=2.")
    @action(detail=False, methods=["post"], url_path="search")
    def search(self, request):
        ser = CaseSearchSerializer(data=request.data, user=request.user)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        matches = Q()
        for org in ser.search_orgs():
            kind, digests = name_digests(org, data["name"], fuzzy=data["fuzzy"])
            if digests:
                matches |= Q(organisation=org, subject_id__in=subject_ids_by_digests(
                    org, kind=kind, digests=digests))
        cases = ser.cases(request.user).filter(matches) if matches else Case.objects.none()
        page = self.paginate_queryset(cases)
        response = self.get_paginated_response(CaseSerializer(page, many=True).data)
        add_never_cache_headers(response)
        return response

    def get_object(self):
        from bridgeway.cases.queries import case_for_user

        return case_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=CaseCreateSerializer,
                   responses={201: CaseSerializer, 409: DuplicateConflictSerializer},
                   summary="Open a case (intake)",
                   description="When the organisation already has a person whose name sounds "
                               "the same, nothing is written and the answer is 409 with the "
                               "possible duplicates; send again with confirm_new: true to open "
                               "the case anyway.")
    def create(self, request):
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        org = organisation_for_user(request.user, data["organisation"])
        if org not in case_orgs(request.user):
            raise Http404
        if not data["confirm_new"]:
            person = data["person"]
            name = " ".join(p for p in [person["first_name"], person["second_name"]] if p)
            matches = intake_matches(org=org, actor=request.user, name=name)
            if matches:
                # Only cases the caller may open are named; the rest are only counted, so a
                # caseworker learns to ask a supervisor without seeing others' cases.
                visible = cases_visible_to(request.user).filter(
                    organisation=org, subject__in=matches.visible).order_by("opened_on",
                                                                           "reference")
                return Response({
                    "detail": _("Possible duplicates in your organisation. Open the existing "
                                "case, or send confirm_new: true if this is a different "
                                "person."),
                    "possible_duplicates": list(visible.values("id", "reference")[:10]),
                    "others": matches.hidden},
                    status=status.HTTP_409_CONFLICT)
        case = services.case_open(org=org, actor=request.user, opened_on=data["opened_on"],
                                  exploitation_types=data["exploitation_types"],
                                  person=services.PersonData(**data["person"]))
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer,
                   responses={200: CaseSerializer, 409: ConflictSerializer},
                   summary="Change the coded context; 409 when someone saved in between")
    def partial_update(self, request, pk=None):
        case = self.get_object()
        ser = CaseUpdateSerializer(data=request.data)
        if not ser.is_valid():
            errors = dict(ser.errors)
            # The context fields' errors under their own names, as the service gives them.
            nested = errors.get("data")
            if isinstance(nested, dict) and api_settings.NON_FIELD_ERRORS_KEY not in nested:
                errors.pop("data")
                for key, value in nested.items():
                    # A key inside data named like a top-level field (version, seen) stays
                    # under "data.<key>" rather than hide that field's own error.
                    errors[f"data.{key}" if key in ser.fields else key] = value
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            updated = services.case_update(case=case, actor=request.user,
                                           version=ser.validated_data["version"],
                                           data=ser.validated_data["data"],
                                           seen=ser.validated_data["seen"])
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(CaseSerializer(updated).data)

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


    def _sub_list(self, request, rows, serializer_class, add, *, context_setup=None):
        """GET lists `rows`; POST validates with `serializer_class` and calls `add` (a service
        call taking the validated data) — nothing is written unless both pass."""
        if request.method == "GET":
            return paginated(self, rows, serializer_class)
        ser = serializer_class(data=request.data)
        if context_setup:
            context_setup(ser)
        ser.is_valid(raise_exception=True)
        row = add(ser.validated_data)
        return Response(serializer_class(row).data, status=status.HTTP_201_CREATED)

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

    @extend_schema(request=AssignSerializer, responses={200: CaseSerializer,
                                                        409: ConflictSerializer},
                   summary="Set the case's caseworkers (supervisors; others get 403)")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        ser = AssignSerializer(data=request.data)
        ser.fields["assignees"].child_relation.queryset = case_staff(case.organisation)
        ser.is_valid(raise_exception=True)
        try:
            seen = ser.validated_data.get("seen_assignees")
            services.case_assign(case=case, actor=request.user,
                                 users=list(ser.validated_data["assignees"]),
                                 version=ser.validated_data["version"],
                                 seen={"assignees": seen} if seen is not None else None)
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(CaseSerializer(self.get_object()).data)

    @extend_schema(request=StatusSerializer, responses={200: CaseSerializer,
                                                        409: ConflictSerializer},
                   summary="Change the status (Active, FollowUp, Closed, ClosedReferred)")
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        case = self.get_object()
        ser = StatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            case = services.case_set_status(case=case, actor=request.user,
                                            status=ser.validated_data["status"],
                                            reason=ser.validated_data["close_reason"],
                                            version=ser.validated_data["version"],
                                            seen={"status": ser.validated_data["seen_status"]}
                                            if "seen_status" in ser.validated_data else None)
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(CaseSerializer(case).data)

    def _person(self, case):
        person = case_person(case)
        if person is None or case.subject is None or case.subject.is_erased:
            raise Http404
        person.subject = case.subject
        return person

    def _person_out(self, case, **extra):
        values = changes.person_values(case, self._person(case))
        return {**values, "is_child": case.is_child, "version": case.version, **extra}

    @extend_schema(methods=["GET"], responses=PersonOutSerializer,
                   summary="The person's details (recorded in the access log)")
    @extend_schema(methods=["PATCH"], request=PersonUpdateSerializer,
                   responses={200: PersonCorrectedSerializer, 409: ConflictSerializer},
                   summary="Correct the person's details; 409 when someone saved in between")
    @action(detail=True, methods=["get", "patch"])
    def person(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(PersonOutSerializer(self._person_out(case)).data)
        self._person(case)
        ser = PersonUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data["data"])
        if "address" in data and data["address"] is not None:
            data["address"] = dict(data["address"])
        if "identity_documents" in data:
            data["identity_documents"] = [dict(d) for d in data["identity_documents"]]
        try:
            result = services.person_update(case=case, actor=request.user,
                                            version=ser.validated_data["version"], data=data,
                                            seen=ser.validated_data["seen"])
        except services.EditConflict as exc:
            return _conflict(exc)
        return Response(PersonCorrectedSerializer(self._person_out(
            result.case, corrected=result.fields, child_changed=result.child_changed)).data)

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

    @extend_schema(request=FirstContactSerializer, responses={201: CaseSerializer},
                   summary="Open an anonymous first contact (no personal data)")
    @action(detail=False, methods=["post"], url_path="first-contacts")
    def first_contact(self, request):
        ser = FirstContactSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        org = organisation_for_user(request.user, data["organisation"])
        if org not in case_orgs(request.user):
            raise Http404
        case = services.first_contact_open(org=org, actor=request.user,
                                           channel=data["contact_channel"],
                                           exploitation_types=data["exploitation_types"])
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonSerializer, responses=CaseSerializer,
                   summary="Turn an anonymous first contact into a full case")
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        case = self.get_object()
        ser = PersonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        case = services.first_contact_convert(case=case, actor=request.user,
                                              person=services.PersonData(**ser.validated_data))
        return Response(CaseSerializer(case).data)


@extend_schema(summary="The caller's open tasks across the cases they may see, soonest first")
class MyTaskViewSet(RefusesUnknownFilters, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return my_open_tasks(self.request.user)


@extend_schema(summary="Active indicator sets with provenance and uncertainty flags")
class IndicatorSetViewSet(RefusesUnknownFilters, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorSetSerializer

    def get_queryset(self):
        ensure_default_sets()
        if not case_orgs(self.request.user):
            return IndicatorSet.objects.none()
        return IndicatorSet.objects.filter(is_active=True)




class CaseSettingsView(APIView):
    """An organisation's case settings: administrators change them, supervisors read them."""

    def _org(self, request, org_pk):
        from bridgeway.orgs.codes import Role
        from bridgeway.orgs.queries import organisation_member_for_user, roles_in

        org = organisation_member_for_user(request.user, org_pk)
        if not roles_in(request.user, org) & {Role.ORG_ADMIN, Role.SUPERVISOR}:
            raise Http404
        return org

    @extend_schema(responses=CaseSettingsSerializer, summary="The organisation's case settings")
    def get(self, request, org_pk):
        conf = case_settings_for(self._org(request, org_pk))
        return Response(CaseSettingsSerializer(conf).data)

    @extend_schema(request=CaseSettingsSerializer, responses=CaseSettingsSerializer,
                   summary="Change the case settings (administrators of the organisation; "
                           "supervisors get 403)")
    def put(self, request, org_pk):
        org = self._org(request, org_pk)
        ser = CaseSettingsSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        conf = services.case_settings_set(org=org, actor=request.user, **ser.validated_data)
        return Response(CaseSettingsSerializer(conf).data)
