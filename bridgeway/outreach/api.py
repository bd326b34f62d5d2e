"""Outreach through the API: the three field records (list, read, create, edit with the
version and original values), the facility register, the network view, and the sync of a
browser's outbox. The same services and scoped queries as the screens: a record the caller may
not see is a 404."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.core.api import RefusesUnknownFilters
from bridgeway.orgs.models import Organisation
from bridgeway.outreach import network as network_view
from bridgeway.outreach import queries, services
from bridgeway.outreach.codes import FacilityType, Kind
from bridgeway.outreach.models import Facility


def _raise(exc: DjangoValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else
                          {"non_field_errors": exc.messages})


class OutreachRecordSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    version = serializers.IntegerField(read_only=True)
    values = serializers.SerializerMethodField()
    incident = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_values(self, obj) -> dict:
        return services.values_of(obj, self.context["kind"])

    def get_incident(self, obj) -> str | None:
        return str(obj.incident_id) if getattr(obj, "incident_id", None) else None


class OutreachRecordCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="The organisation the record belongs to")
    values = serializers.DictField(help_text="Field name → value (dates as YYYY-MM-DD)")


class OutreachRecordEditSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version the edit started from")
    original = serializers.DictField(required=False, default=dict,
                                     help_text="The values the edit started from, for the "
                                               "fields it changes")
    values = serializers.DictField(help_text="The changed fields: name → new value")


class OutreachConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField()
    conflicts = serializers.DictField(help_text="field → {mine, theirs}")


class _RecordViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    kind: str = ""
    serializer_class = OutreachRecordSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return queries.records_visible_to(self.request.user, self.kind).order_by("-created_at")

    def get_object(self):
        return queries.record_for_user(self.request.user, self.kind, self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "kind": self.kind}

    @extend_schema(request=OutreachRecordCreateSerializer, responses={201: OutreachRecordSerializer})
    def create(self, request):
        body = OutreachRecordCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        org = Organisation.objects.filter(pk=body.validated_data["organisation"]).first()
        if org is None or not queries.may_record(request.user, org):
            raise PermissionDenied("You do not have a role in this organisation that lets you "
                                   "record outreach work.")
        try:
            record = services.record_create(kind=self.kind, actor=request.user, org=org,
                                            values=body.validated_data["values"])
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(OutreachRecordSerializer(record, context={"kind": self.kind}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=OutreachRecordEditSerializer,
                   responses={200: OutreachRecordSerializer, 409: OutreachConflictSerializer})
    def partial_update(self, request, pk=None):
        record = self.get_object()
        body = OutreachRecordEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            record = services.record_edit(kind=self.kind, record=record, actor=request.user,
                                          values=body.validated_data["values"],
                                          base_version=body.validated_data["version"],
                                          original=body.validated_data["original"])
        except services.EditConflict as exc:
            return Response({"detail": "The same fields were changed meanwhile; nothing was "
                                       "saved.", "version": exc.version,
                             "conflicts": exc.conflicts}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            _raise(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(OutreachRecordSerializer(record, context={"kind": self.kind}).data)


class ActivityViewSet(_RecordViewSet):
    """Outreach activities (3W/4W: who, what, where, when, for whom)."""

    kind = Kind.ACTIVITY


class AccessRequestViewSet(_RecordViewSet):
    """Requests for access to facilities, their outcomes and the visits."""

    kind = Kind.ACCESS


class TrainingViewSet(_RecordViewSet):
    """Trainings given to state institutions."""

    kind = Kind.TRAINING


class OutreachFacilitySerializer(serializers.ModelSerializer):
    facility_type = serializers.ChoiceField(choices=FacilityType.choices)

    class Meta:
        model = Facility
        fields = ["id", "name", "facility_type", "country", "region", "authority", "network",
                  "added_by_org", "is_active"]
        read_only_fields = fields


class OutreachFacilityCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    facility_type = serializers.ChoiceField(choices=FacilityType.choices)
    country = serializers.CharField(max_length=2)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    authority = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                      default="")
    network = serializers.IntegerField(required=False, allow_null=True, default=None)


class OutreachFacilityEditSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    facility_type = serializers.ChoiceField(choices=FacilityType.choices, required=False)
    country = serializers.CharField(max_length=2, required=False)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True)
    authority = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False,
                                         help_text="false deactivates the facility (no longer "
                                                   "offered for new access requests)")


class FacilityViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """The facility register shared across the network."""

    serializer_class = OutreachFacilitySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return queries.facilities_visible_to(self.request.user).order_by("country", "name")

    def get_object(self):
        return queries.facility_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=OutreachFacilityCreateSerializer, responses={201: OutreachFacilitySerializer})
    def create(self, request):
        body = OutreachFacilityCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        org = Organisation.objects.filter(pk=d["organisation"]).first()
        if org is None or not queries.may_record(request.user, org):
            raise PermissionDenied("You do not have a role in this organisation that lets you "
                                   "record outreach work.")
        try:
            facility = services.facility_add(actor=request.user, org=org, data=services.FacilityData(
                name=d["name"], facility_type=d["facility_type"], country=d["country"],
                region=d["region"], authority=d["authority"], network_id=d["network"]))
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(OutreachFacilitySerializer(facility).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OutreachFacilityEditSerializer,
                   responses={200: OutreachFacilitySerializer})
    def partial_update(self, request, pk=None):
        """Edits or (de)activates a facility: only the organisation that added it (404 for
        everyone else, network peers included)."""
        facility = queries.facility_to_manage(request.user, pk)
        body = OutreachFacilityEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        fields = ("name", "facility_type", "country", "region", "authority")
        try:
            with transaction.atomic():
                if any(f in d for f in fields):
                    facility = services.facility_edit(
                        actor=request.user, facility=facility,
                        **{f: d.get(f, getattr(facility, f)) for f in fields})
                if "is_active" in d:
                    facility = services.facility_set_active(actor=request.user,
                                                            facility=facility,
                                                            active=d["is_active"])
        except DjangoValidationError as exc:
            _raise(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(OutreachFacilitySerializer(facility).data)


class OutreachSyncEntrySerializer(serializers.Serializer):
    client_id = serializers.UUIDField(help_text="Made by the browser once per entry: a resend "
                                                "with the same id is answered, not applied again")
    kind = serializers.ChoiceField(choices=Kind.choices)
    organisation = serializers.IntegerField(required=False, allow_null=True, default=None,
                                            help_text="For a new record")
    record_id = serializers.UUIDField(required=False, allow_null=True, default=None,
                                      help_text="For an edit")
    version = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="For an edit: the version it started from")
    original = serializers.DictField(required=False, default=dict,
                                     help_text="For an edit: the values it started from")
    values = serializers.DictField()


class OutreachSyncSerializer(serializers.Serializer):
    entries = OutreachSyncEntrySerializer(many=True, max_length=500)


class OutreachSyncResultSerializer(serializers.Serializer):
    client_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "conflict"])
    record_id = serializers.UUIDField()
    version = serializers.IntegerField()
    conflicts = serializers.DictField(required=False)
    replayed = serializers.BooleanField(required=False)


class OutreachSyncAnswerSerializer(serializers.Serializer):
    results = OutreachSyncResultSerializer(many=True)


class SyncView(APIView):
    """The browser's outbox, sent in one batch: all or nothing (a refused entry rolls the batch
    back and is named); conflicts come back per entry without stopping the others."""

    @extend_schema(request=OutreachSyncSerializer, responses={200: OutreachSyncAnswerSerializer},
                   description="A refused entry answers 400 (409 when the same entry is being "
                               "sent at the same moment) with `entry` (its client id) and "
                               "`errors` (field -> messages); nothing of the batch is saved.")
    def post(self, request):
        body = OutreachSyncSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entries = [services.SyncEntry(
            client_id=e["client_id"], kind=e["kind"], values=e["values"],
            organisation_id=e["organisation"], record_id=e["record_id"], version=e["version"],
            original=e["original"]) for e in body.validated_data["entries"]]
        try:
            results = services.sync_batch(actor=request.user, entries=entries)
        except services.SyncRefused as exc:
            if exc.status == 403:  # the API's one error shape, with the entry named
                return Response({"detail": " ".join(exc.errors.get("detail", [])),
                                 "entry": str(exc.entry)}, status=403)
            return Response({"entry": str(exc.entry), "errors": exc.errors}, status=exc.status)
        return Response({"results": results})


class OutreachNetworkSerializer(serializers.Serializer):
    network = serializers.IntegerField(allow_null=True)
    year = serializers.IntegerField()
    suppress_below = serializers.IntegerField()
    activities = serializers.ListField(child=serializers.DictField())
    access = serializers.ListField(child=serializers.DictField())
    trainings = serializers.ListField(child=serializers.DictField())


class OutreachNetworkQuerySerializer(serializers.Serializer):
    network = serializers.IntegerField(required=False, allow_null=True, default=None)
    country = serializers.CharField(required=False, allow_blank=True, default="", max_length=2)
    year = serializers.IntegerField(required=False, allow_null=True, default=None,
                                    min_value=2000, max_value=2100,
                                    help_text="One year's quarters (default: this year)")


class NetworkView(APIView):
    """Aggregates across the network (coordinators) or the caller's organisations: counts from
    1 to 10 are suppressed in a network's view."""

    @extend_schema(parameters=[OutreachNetworkQuerySerializer], responses={200: OutreachNetworkSerializer})
    def get(self, request):
        from bridgeway.core.api import list_filters

        p = list_filters(request, OutreachNetworkQuerySerializer).validated_data
        if not queries.managed_networks(request.user) and not queries.outreach_orgs(request.user):
            raise PermissionDenied("Outreach is for organisations that record it and the "
                                   "coordinators of their networks.")
        scope = queries.network_scope(request.user, p["network"], versions=True)
        net = scope.network
        from django.utils import timezone

        view = network_view.cached_view(scope.org_ids, country=p["country"],
                                        year=p["year"] or timezone.localdate().year,
                                        suppress=net is not None, versions=scope.versions)
        return Response({"network": net.pk if net else None,
                         "year": p["year"] or timezone.localdate().year,
                         "suppress_below": view["suppress_below"],
                         "activities": view["activity_rows"], "access": view["access_rows"],
                         "trainings": view["training_rows"]})
