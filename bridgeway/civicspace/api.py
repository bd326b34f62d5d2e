"""The civic-space monitor through the API, with the same scoping and rules as the screens."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from bridgeway.civicspace import queries, services
from bridgeway.civicspace.codes import (
    Actor,
    Answer,
    Civicus,
    ConsultationKind,
    ConsultationStage,
    Family,
    Feedback,
    Method,
    Severity,
    Status,
    Trend,
    Visibility,
)
from bridgeway.civicspace.forms import FilterForm
from bridgeway.civicspace.models import (
    Consultation,
    CountryAssessment,
    Incident,
    IncidentVersion,
    Participation,
    RestrictionType,
)
from bridgeway.core.api import RefusesUnknownFilters, list_filters
from bridgeway.core.api_schema import ModelSerializer, paginated
from bridgeway.orgs.codes import country_choices
from bridgeway.orgs.models import Organisation


def _raise(exc: DjangoValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else
                          {"non_field_errors": exc.messages})


class RestrictionTypeSerializer(ModelSerializer):
    label = serializers.CharField(max_length=200)
    family = serializers.ChoiceField(choices=Family.choices)

    class Meta:
        model = RestrictionType
        fields = ["id", "code", "family", "label", "description", "network"]
        read_only_fields = ["id", "code"]


class AffectedSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=200)
    anonymous = serializers.BooleanField(required=False, default=True)


class SourceSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    is_public = serializers.BooleanField(required=False, default=False)


class IncidentSerializer(ModelSerializer):
    actors = serializers.ListField(child=serializers.ChoiceField(choices=Actor.choices))
    types = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    affected = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = ["id", "network", "reporting_org", "title", "started_on", "ended_on", "country",
                  "region", "actors", "types", "description", "language", "severity", "status",
                  "visibility", "affected", "sources", "verified_at", "published_at", "rejection_reason",
                  "version", "created_at", "updated_at"]
        read_only_fields = fields

    def get_affected(self, obj) -> list[dict]:
        full = self.context.get("full", False)
        return [{"organisation": a.organisation_id if full or not a.anonymous else None,
                 "label": a.organisation.name if a.organisation_id and (full or not a.anonymous)
                 else a.public_label(), "anonymous": a.anonymous} for a in obj.affected.all()]

    def get_sources(self, obj) -> list[dict]:
        full = self.context.get("full", False)
        return [{"url": s.url, "title": s.title, "is_public": s.is_public}
                for s in obj.sources.all() if full or s.is_public]


class IncidentWriteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(required=False,
                                            help_text="Reporting organisation (create only)")
    network = serializers.IntegerField(required=False, help_text="Network (create only)")
    title = serializers.CharField(max_length=200)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    region = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    actors = serializers.ListField(child=serializers.ChoiceField(choices=Actor.choices),
                                   allow_empty=False)
    types = serializers.ListField(child=serializers.IntegerField(), allow_empty=False,
                                  help_text="restriction type ids (of the network or common)")
    description = serializers.CharField(max_length=8000)
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=10,
                                     help_text="Language of the title and description: one of the "
                                               "interface languages (en, uk, ro, fr, ru, ar), or "
                                               "empty when not said")
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.NETWORK)
    affected = AffectedSerializer(many=True, required=False, default=list)
    sources = SourceSerializer(many=True, required=False, default=list)

    @staticmethod
    def current(incident) -> dict:
        """The incident's values as this serializer takes them: what a PATCH leaves alone."""
        return {
            "title": incident.title, "started_on": incident.started_on,
            "ended_on": incident.ended_on, "country": incident.country,
            "region": incident.region, "actors": list(incident.actors),
            "types": [t.pk for t in incident.types.all()],
            "description": incident.description, "severity": incident.severity,
            "visibility": incident.visibility, "language": incident.language,
            "affected": [{"organisation": a.organisation_id, "description": a.description,
                          "anonymous": a.anonymous} for a in incident.affected.all()],
            # Sources that carry a document stay with it; the others are the list's.
            "sources": [{"url": s.url, "title": s.title, "is_public": s.is_public}
                        for s in incident.sources.filter(document__isnull=True)],
        }

    def to_data(self, base: dict | None = None) -> services.IncidentData:
        d = {**(base or {}), **self.validated_data}
        return services.IncidentData(
            title=d["title"], started_on=d["started_on"], ended_on=d["ended_on"],
            country=d["country"], region=d["region"], actors=d["actors"], type_ids=d["types"],
            description=d["description"], severity=d["severity"], visibility=d["visibility"],
            language=d.get("language", ""),
            # In a PATCH the items of a list sent are not filled with defaults (DRF's partial
            # reaches nested serializers): take them here, the service names what is missing.
            affected=[services.Affected(organisation_id=a.get("organisation"),
                                        description=a.get("description", ""),
                                        anonymous=a.get("anonymous", True))
                      for a in d["affected"]],
            sources=[services.SourceData(url=s.get("url", ""), title=s.get("title", ""),
                                         is_public=s.get("is_public", False))
                     for s in d["sources"]])


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[Status.UNDER_REVIEW, Status.VERIFIED,
                                              Status.PUBLISHED, Status.REJECTED])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VersionSerializer(ModelSerializer):
    class Meta:
        model = IncidentVersion
        fields = ["number", "action", "changed_by", "changed_at", "changed_fields"]


@extend_schema_view(
    list=extend_schema(summary="Incidents the caller may see (filters: country, status, family, "
                               "actor)"),
    create=extend_schema(request=IncidentWriteSerializer, responses=IncidentSerializer),
    partial_update=extend_schema(request=IncidentWriteSerializer, responses=IncidentSerializer),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IncidentSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = queries.incidents_visible_to(self.request.user)
        if self.action == "list":  # the screen's filters, with the same value lists
            p = list_filters(self.request, FilterForm).cleaned_data
            qs = queries.filter_incidents(qs, country=p["country"], status=p["status"],
                                          family=p["family"], actor=p["actor"], since=p["since"],
                                          until=p["until"])
        return qs.prefetch_related("types", "affected__organisation", "sources")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "full": True}

    def get_object(self):
        return queries.incident_for_user(self.request.user, self.kwargs["pk"])

    def create(self, request):
        body = IncidentWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        orgs = {o.pk: o for o in queries.member_orgs(request.user)}
        org_id = body.validated_data.get("organisation") or (next(iter(orgs)) if orgs else None)
        if org_id not in orgs:
            raise PermissionDenied("Only people of a member organisation of a network can report.")
        org = orgs[org_id]
        network = queries.networks_for_reporting(org).filter(
            pk=body.validated_data.get("network")).first() if body.validated_data.get(
            "network") else queries.networks_for_reporting(org).first()
        if network is None:
            raise ValidationError({"network": ["Your organisation is not a member of this "
                                               "network."]})
        try:
            incident = services.incident_report(actor=request.user, reporting_org=org,
                                                network=network, data=body.to_data())
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(IncidentSerializer(incident, context={"full": True}).data,
                        status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        incident = self.get_object()
        if not queries.may_edit(request.user, incident):
            raise PermissionDenied("You cannot edit this incident now.")
        body = IncidentWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            incident = services.incident_edit(
                incident=incident, actor=request.user,
                data=body.to_data(base=IncidentWriteSerializer.current(incident)))
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(IncidentSerializer(incident, context={"full": True}).data)

    @extend_schema(request=TransitionSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        incident = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            incident = services.incident_transition(incident=incident, actor=request.user,
                                                    to=body.validated_data["status"],
                                                    reason=body.validated_data["reason"])
        except DjangoValidationError as exc:
            _raise(exc)
        except Exception as exc:
            from django.core.exceptions import PermissionDenied as DjangoDenied

            if isinstance(exc, DjangoDenied):
                raise PermissionDenied(str(exc)) from None
            raise
        return Response(IncidentSerializer(incident, context={"full": True}).data)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        incident = self.get_object()
        return paginated(self, incident.versions.all(), VersionSerializer)


@extend_schema_view(create=extend_schema(summary="Network admins add a type to their network"))
class RestrictionTypeViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    serializer_class = RestrictionTypeSerializer

    def get_queryset(self):
        from django.db.models import Q

        return RestrictionType.objects.filter(
            Q(network__isnull=True) | Q(network_id__in=queries.user_networks(self.request.user)),
            is_active=True)

    def create(self, request):
        body = RestrictionTypeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        network = get_object_or_404(Organisation, pk=getattr(body.validated_data.get("network"),
                                                             "pk", None),
                                    pk__in=queries.user_networks(request.user))
        try:
            rtype = services.restriction_type_add(network=network, actor=request.user,
                                                  family=body.validated_data["family"],
                                                  label=body.validated_data["label"],
                                                  description=body.validated_data.get(
                                                      "description", ""))
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(RestrictionTypeSerializer(rtype).data, status=status.HTTP_201_CREATED)


class CivicAssessmentSerializer(ModelSerializer):
    rating = serializers.ChoiceField(choices=Civicus.choices)
    trend = serializers.ChoiceField(choices=Trend.choices)

    class Meta:
        model = CountryAssessment
        fields = ["id", "network", "country", "period_start", "period_end", "rating", "trend",
                  "justification", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list = []


class CountryFilter(serializers.Serializer):
    country = serializers.ChoiceField(choices=[c for c, _name in country_choices()],
                                      required=False, help_text="ISO 3166-1 alpha-2")


class AssessmentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CivicAssessmentSerializer

    def get_queryset(self):
        qs = CountryAssessment.objects.all()
        if self.action == "list":
            if country := list_filters(self.request, CountryFilter).validated_data.get("country"):
                qs = qs.filter(country=country)
        return qs

    def create(self, request):
        body = CivicAssessmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        try:
            a = services.assessment_record(network=d["network"], actor=request.user,
                                           country=d["country"], period_start=d["period_start"],
                                           period_end=d.get("period_end"), rating=d["rating"],
                                           trend=d["trend"], justification=d["justification"])
        except DjangoValidationError as exc:
            _raise(exc)
        except Exception as exc:
            from django.core.exceptions import PermissionDenied as DjangoDenied

            if isinstance(exc, DjangoDenied):
                raise PermissionDenied(str(exc)) from None
            raise
        return Response(CivicAssessmentSerializer(a).data, status=status.HTTP_201_CREATED)


class CivicParticipationSerializer(ModelSerializer):
    invited = serializers.ChoiceField(choices=Answer.choices, default=Answer.UNKNOWN)
    submitted = serializers.ChoiceField(choices=Answer.choices, default=Answer.UNKNOWN)
    method = serializers.ChoiceField(choices=Method.choices, default="", allow_blank=True)
    feedback = serializers.ChoiceField(choices=Feedback.choices, default=Feedback.UNKNOWN)

    class Meta:
        model = Participation
        fields = ["id", "organisation", "invited", "submitted", "method", "feedback", "evidence",
                  "incident"]
        read_only_fields = ["id", "incident"]
        validators: list = []


class CivicConsultationSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=ConsultationKind.choices)
    stage = serializers.ChoiceField(choices=ConsultationStage.choices)
    participations = CivicParticipationSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = ["id", "network", "country", "title", "kind", "stage", "opened_on", "closes_on",
                  "url", "participations"]
        read_only_fields = ["id", "participations"]


def _django_call(fn, **kw):
    from django.core.exceptions import PermissionDenied as DjangoDenied

    try:
        return fn(**kw)
    except DjangoValidationError as exc:
        _raise(exc)
    except DjangoDenied as exc:
        raise PermissionDenied(str(exc)) from None


class ConsultationViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CivicConsultationSerializer

    def get_queryset(self):
        return queries.consultations_visible_to(self.request.user).prefetch_related(
            "participations")

    def create(self, request):
        body = CivicConsultationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        c = _django_call(services.consultation_add, network=d["network"], actor=request.user,
                         country=d["country"], title=d["title"], kind=d["kind"], stage=d["stage"],
                         opened_on=d["opened_on"], closes_on=d.get("closes_on"),
                         url=d.get("url", ""))
        return Response(CivicConsultationSerializer(c).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CivicParticipationSerializer,
                   responses={201: CivicParticipationSerializer})
    @action(detail=True, methods=["post"])
    def participations(self, request, pk=None):
        c = queries.consultation_for_user(request.user, pk)
        body = CivicParticipationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        p = _django_call(services.participation_set, consultation=c, actor=request.user,
                         organisation=d["organisation"], invited=d["invited"],
                         submitted=d["submitted"], method=d["method"], feedback=d["feedback"],
                         evidence=d.get("evidence", ""))
        return Response(CivicParticipationSerializer(p).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: IncidentSerializer})
    @action(detail=True, methods=["post"], url_path=r"participations/(?P<participation_id>\d+)/incident")
    def exclusion_incident(self, request, pk=None, participation_id=None):
        c = queries.consultation_for_user(request.user, pk)
        p = get_object_or_404(Participation, pk=participation_id, consultation=c)
        incident = _django_call(services.exclusion_to_incident, participation=p,
                                actor=request.user)
        return Response(IncidentSerializer(incident, context={"full": True}).data,
                        status=status.HTTP_201_CREATED)
