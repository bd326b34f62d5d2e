"""Funding through the API, with the same scoping and rules as the screens: an organisation's
records for its finance people (404 for everyone else), a network's aggregates for its
coordinators, records a member shared readable by them."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.core.api import RefusesUnknownFilters
from bridgeway.core.api_schema import ModelSerializer
from bridgeway.funding import queries, services
from bridgeway.funding.codes import FunderType, GrantStatus, Indicator
from bridgeway.funding.models import Funder, FundingRecord, ResilienceYear, SurveyIndicatorMapping


def _raise(exc: DjangoValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else
                          {"non_field_errors": exc.messages})


class FunderSerializer(ModelSerializer):
    class Meta:
        model = Funder
        fields = ["id", "name", "funder_type", "country", "org_identifier"]
        read_only_fields = ["id"]


class FunderCreateSerializer(FunderSerializer):
    organisation = serializers.IntegerField(write_only=True,
                                            help_text="Your organisation adding the funder")

    class Meta(FunderSerializer.Meta):
        fields = [*FunderSerializer.Meta.fields, "organisation"]


class FunderViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    """The shared funder register, for people who keep or analyse funding."""

    serializer_class = FunderSerializer

    def get_queryset(self):
        if not queries.may_use_funding(self.request.user):
            return Funder.objects.none()
        return Funder.objects.order_by("name")

    @extend_schema(request=FunderCreateSerializer, responses={201: FunderSerializer})
    def create(self, request, *args, **kwargs):
        s = FunderCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        org = queries.finance_org_for_user(request.user, d["organisation"])
        try:
            funder = services.funder_add(actor=request.user, org=org, name=d["name"],
                                         funder_type=d["funder_type"], country=d.get("country", ""),
                                         org_identifier=d.get("org_identifier", ""))
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(FunderSerializer(funder).data, status=status.HTTP_201_CREATED)


class ReceiptSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class RecordSerializer(ModelSerializer):
    receipts = ReceiptSerializer(many=True, required=False)
    funder_type = serializers.ChoiceField(choices=FunderType.choices)
    status = serializers.ChoiceField(choices=GrantStatus.choices, required=False,
                                     default=GrantStatus.AWARDED)

    class Meta:
        model = FundingRecord
        fields = ["id", "organisation", "funder", "funder_type", "funder_country", "title",
                  "purpose", "restricted", "currency", "amount_awarded", "starts_on", "ends_on",
                  "status", "paid_late", "late_days", "delegated_state_work",
                  "shared_with_network", "identifier", "receipts"]
        read_only_fields = ["id"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["receipts"] = [{"year": r.year, "amount": f"{r.amount:.2f}"}
                            for r in instance.receipts.all()]
        return data


def _data(d: dict) -> services.RecordData:
    funder = d.get("funder")
    return services.RecordData(
        title=d["title"], funder_type=d["funder_type"], currency=d["currency"],
        funder_id=funder.pk if funder else None, funder_country=d.get("funder_country", ""),
        purpose=d.get("purpose", ""), restricted=d.get("restricted", True),
        amount_awarded=d.get("amount_awarded"), starts_on=d.get("starts_on"),
        ends_on=d.get("ends_on"), status=d.get("status", GrantStatus.AWARDED),
        paid_late=d.get("paid_late", False), late_days=d.get("late_days"),
        delegated_state_work=d.get("delegated_state_work", False),
        shared_with_network=d.get("shared_with_network", False),
        identifier=d.get("identifier", ""),
        received={r["year"]: r["amount"] for r in d.get("receipts", [])})


class RecordViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                    viewsets.GenericViewSet):
    """Funding records: an organisation's own for its finance people; records members shared
    with a network, read-only, for its coordinators."""

    serializer_class = RecordSerializer
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return (queries.records_visible_to(self.request.user).select_related("funder")
                .prefetch_related("receipts").order_by("pk"))

    def get_object(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return queries.record_for_user(self.request.user, self.kwargs["pk"])
        return queries.record_for_editor(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        org = queries.finance_org_for_user(request.user, s.validated_data["organisation"].pk)
        try:
            record, warnings = services.record_add(actor=request.user, org=org,
                                                   data=_data(s.validated_data))
        except DjangoValidationError as exc:
            _raise(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        out = self.get_serializer(FundingRecord.objects.get(pk=record.pk)).data
        return Response({**out, "warnings": warnings} if warnings else out,
                        status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        record = self.get_object()
        s = self.get_serializer(record, data=request.data)
        s.is_valid(raise_exception=True)
        if s.validated_data["organisation"].pk != record.organisation_id:
            raise ValidationError({"organisation": ["A record cannot move to another organisation."]})
        try:
            services.record_edit(actor=request.user, record=record, data=_data(s.validated_data))
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(self.get_serializer(FundingRecord.objects.get(pk=record.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.record_delete(actor=request.user, record=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ResilienceSerializer(ModelSerializer):
    class Meta:
        model = ResilienceYear
        fields = ["year", "currency", "expenditure", "reserves", "staff", "contracts_end_6m",
                  "contracts_end_12m", "services_cut"]


class ResilienceView(APIView):
    """An organisation's resilience figures by year (finance people only; 404 otherwise)."""

    @extend_schema(responses=ResilienceSerializer(many=True))
    def get(self, request, org_pk):
        org = queries.finance_org_for_user(request.user, org_pk)
        return Response(ResilienceSerializer(queries.resilience_of(org), many=True).data)

    @extend_schema(request=ResilienceSerializer, responses=ResilienceSerializer)
    def post(self, request, org_pk):
        org = queries.finance_org_for_user(request.user, org_pk)
        s = ResilienceSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        try:
            res = services.resilience_save(actor=request.user, org=org, data=services.ResilienceData(
                year=d["year"], currency=d["currency"], expenditure=d.get("expenditure"),
                reserves=d.get("reserves"), staff=d.get("staff"),
                contracts_end_6m=d.get("contracts_end_6m", 0),
                contracts_end_12m=d.get("contracts_end_12m", 0),
                services_cut=d.get("services_cut", "")))
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(ResilienceSerializer(res).data)


class IndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    year = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    shown = serializers.CharField()
    formula = serializers.CharField()
    inputs = serializers.CharField()
    reason = serializers.CharField(help_text="Why it is not computable (empty when it is)")
    rates = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()


YEAR = OpenApiParameter("year", int, required=False, description="Defaults to last year")


def _year(request) -> int:
    from django.utils import timezone

    raw = request.query_params.get("year", "")
    unknown = set(request.query_params) - {"year", "country", "org_type", "format"}
    if unknown:
        raise ValidationError({p: ["Unknown parameter."] for p in sorted(unknown)})
    if not raw:
        return timezone.localdate().year - 1
    if not raw.isdigit() or not 1990 <= int(raw) <= 2100:
        raise ValidationError({"year": ["Give a year such as 2025."]})
    return int(raw)


class IndicatorsView(APIView):
    """An organisation's indicators for a year, each with its formula, inputs and rates."""

    @extend_schema(parameters=[YEAR], responses=IndicatorSerializer(many=True))
    def get(self, request, org_pk):
        org = queries.finance_org_for_user(request.user, org_pk)
        return Response([r.as_dict() for r in queries.indicators_of(org, _year(request))])


class DistributionSerializer(serializers.Serializer):
    group = serializers.CharField()
    n = serializers.IntegerField()
    suppressed = serializers.BooleanField()
    q1 = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    q3 = serializers.FloatField(allow_null=True)
    from_survey = serializers.IntegerField()


class NetworkIndicatorSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    formula = serializers.CharField()
    overall = DistributionSerializer()
    by_country = DistributionSerializer(many=True)
    by_type = DistributionSerializer(many=True)


class NetworkViewSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    members = serializers.IntegerField()
    min_group = serializers.IntegerField()
    ledger_members = serializers.IntegerField()
    survey_members = serializers.IntegerField()
    survey_set_aside = serializers.IntegerField(
        help_text="Survey answers not used because the member's ledger gave the figure")
    rates = serializers.ListField(child=serializers.CharField())
    indicators = NetworkIndicatorSerializer(many=True)
    below = serializers.ListField(child=serializers.DictField())


class NetworkFundingView(APIView):
    """A network's funding aggregates (coordinators only; 404 otherwise): no member's funders."""

    @extend_schema(parameters=[YEAR, OpenApiParameter("country", str, required=False),
                               OpenApiParameter("org_type", str, required=False)],
                   responses=NetworkViewSerializer)
    def get(self, request, pk):
        net = queries.network_for_user(request.user, pk)
        year = _year(request)
        view = queries.network_view(net, year, country=request.query_params.get("country", "")[:2],
                                    org_type=request.query_params.get("org_type", "")[:40])
        data = {k: getattr(view, k) for k in ("year", "members", "min_group", "ledger_members",
                                              "survey_members", "survey_set_aside", "rates", "below")}
        data["indicators"] = [{
            "indicator": i.indicator, "label": i.label, "formula": i.formula,
            "overall": vars(i.overall), "by_country": [vars(d) for d in i.by_country],
            "by_type": [vars(d) for d in i.by_type]} for i in view.indicators]
        return Response(NetworkViewSerializer(data).data)


class MappingSerializer(ModelSerializer):
    question = serializers.CharField(
        max_length=200, help_text="<survey id>:<question name>, a question of one of the "
        "network's surveys answered with a number")
    indicator = serializers.ChoiceField(choices=Indicator.choices)

    class Meta:
        model = SurveyIndicatorMapping
        fields = ["id", "question", "indicator"]
        read_only_fields = ["id"]


class NetworkMappingsView(APIView):
    """A network's survey questions mapped to funding indicators (coordinators only; 404
    otherwise). Posting maps a question (or changes its indicator); answers already submitted
    count at once."""

    @extend_schema(responses=MappingSerializer(many=True))
    def get(self, request, pk):
        net = queries.network_for_user(request.user, pk)
        return Response(MappingSerializer(queries.mappings_of(net), many=True).data)

    @extend_schema(request=MappingSerializer, responses={201: MappingSerializer})
    def post(self, request, pk):
        net = queries.network_for_user(request.user, pk)
        ser = MappingSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            mapping = services.mapping_set(actor=request.user, network=net,
                                           question=ser.validated_data["question"],
                                           indicator=ser.validated_data["indicator"])
        except DjangoValidationError as exc:
            _raise(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(MappingSerializer(mapping).data, status=status.HTTP_201_CREATED)
