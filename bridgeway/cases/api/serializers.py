"""The serializers of the case API: what each endpoint reads and answers."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

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
from bridgeway.cases.queries import case_orgs, filtered_cases
from bridgeway.core.api_schema import ModelSerializer, OptionalTextField
from bridgeway.orgs.codes import Role
from bridgeway.orgs.models import Organisation


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


class AssessmentPreviewInSerializer(serializers.Serializer):
    indicator_set = serializers.IntegerField()
    indicators = serializers.ListField(child=serializers.CharField(max_length=120),
                                       required=False, default=list, max_length=1000,
                                       help_text="ids of the indicators ticked so far")


class AssessmentPreviewSerializer(serializers.Serializer):
    indicates_trafficking = serializers.BooleanField(source="indicates")
    ticked = serializers.IntegerField(help_text="indicators of the set among those given")
    why = serializers.JSONField(help_text="per dimension, and the requirement groups not met, "
                                          "in the reader's language")


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
