from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from bridgeway.core.api import list_filters
from bridgeway.core.api_schema import ModelSerializer, form_parameters, paginated
from bridgeway.orgs import queries, services
from bridgeway.orgs.codes import ADMIN_ROLES, OrgType, Role, Service
from bridgeway.orgs.forms import DirectoryFilterForm, MechanismFilterForm
from bridgeway.orgs.models import (
    CoordinationMechanism,
    Invitation,
    MechanismMeeting,
    MechanismMember,
    Membership,
    NetworkMembership,
    Organisation,
    PointOfContact,
)


class RecentlyAuthenticated(BasePermission):
    """Session callers must have re-authenticated recently before sensitive writes; API tokens
    are themselves created behind re-authentication."""

    message = _("Re-authenticate in the web interface (or use an API token) before this action.")

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS") or request.auth is not None:
            return True
        from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate

        return did_recently_reauthenticate(request._request)


class ServiceSerializer(serializers.Serializer):
    service = serializers.ChoiceField(choices=Service.choices)
    countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False,
                                      default=list)
    area = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OrganisationSerializer(ModelSerializer):
    services = ServiceSerializer(many=True, required=False)
    org_type = serializers.ChoiceField(choices=OrgType.choices)
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False,
                                      help_text="ISO 639 codes")
    networks = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "org_type", "country", "city", "languages", "phone", "email",
                  "website", "description", "listed_in_directory", "time_zone", "services",
                  "networks"]

    def get_networks(self, obj) -> list[int]:
        return [n.pk for n in queries.networks_of(obj)]

    def validate(self, attrs):
        # Field rules (codes, uniqueness) live in the services, so UI and API share them.
        return attrs


class MembershipSerializer(ModelSerializer):
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "user", "user_name", "role", "is_active", "created_at"]
        read_only_fields = ["id", "organisation", "user", "user_name", "created_at"]


class InvitationSerializer(ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at", "expires_at"]
        read_only_fields = ["id", "created_at", "expires_at"]


class NetworkMembershipSerializer(ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = NetworkMembership
        fields = ["id", "member", "member_name", "joined_on"]
        read_only_fields = ["id", "member_name"]


class PointOfContactSerializer(ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        help_text="A person who holds an active role in the organisation")
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False,
                                      help_text="ISO 639 codes")
    # Format rules (E.164, e-mail) are checked by the service, so UI and API give one message.
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                  help_text="E.164, e.g. +37322123456")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)

    class Meta:
        model = PointOfContact
        fields = ["id", "user", "user_name", "function", "phone", "email", "availability",
                  "languages", "alternative_channel"]
        read_only_fields = ["id", "user_name"]


DIRECTORY_PARAMETERS = form_parameters(DirectoryFilterForm, {
    "q": "Part of the name or city",
    "country": "Based in this country (ISO 3166 code)",
    "serves": "One of its services covers this country",
    "area": "Part of the area a service covers, e.g. Iași",
    "language": "A working language (ISO 639 code)",
})


@extend_schema_view(
    list=extend_schema(summary="The directory of organisations the caller may see",
                       parameters=DIRECTORY_PARAMETERS),
    retrieve=extend_schema(summary="One organisation's profile"),
    create=extend_schema(summary="Add an organisation (platform administrators)"),
    partial_update=extend_schema(summary="Update a profile (the organisation's administrators)"),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, mixins.UpdateModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = OrganisationSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        return [*super().get_permissions(), RecentlyAuthenticated()]

    def get_queryset(self):
        filters = {}
        if self.action == "list":  # the directory screen's filters, with its value lists
            filters = list_filters(self.request, DirectoryFilterForm).cleaned_data
        return queries.directory_search(self.request.user, **filters).prefetch_related("services")

    def get_object(self):
        return queries.organisation_for_user(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied(_("Only a platform administrator can add organisations."))
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if data.pop("services", None):
            raise serializers.ValidationError({"services": [_(
                "Services are set by the organisation's own administrators after creation.")]})
        org = services.organisation_create(actor=request.user, **data)
        return Response(self.get_serializer(org).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"detail": _("Use PATCH.")}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        org = self.get_object()
        if not queries.roles_in(request.user, org) & ADMIN_ROLES:
            raise PermissionDenied(_("You are not an administrator of this organisation."))
        ser = self.get_serializer(org, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        svc = data.pop("services", None)
        from django.db import transaction

        with transaction.atomic():
            services.organisation_update(org=org, actor=request.user, data=data)
            if svc is not None:
                services.organisation_services_set(org=org, actor=request.user,
                                                   services=[dict(s) for s in svc])
        org.refresh_from_db()
        return Response(self.get_serializer(org).data)

    @extend_schema(responses=MembershipSerializer(many=True),
                   summary="People of the organisation (its own members only)")
    @action(detail=True, methods=["get"])
    def memberships(self, request, pk=None):
        org = queries.organisation_member_for_user(request.user, pk)
        is_admin = bool(queries.roles_in(request.user, org) & ADMIN_ROLES)
        qs = queries.memberships_of(org, include_inactive=is_admin)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=InvitationSerializer(many=True),
                   summary="Pending invitations")
    @extend_schema(methods=["POST"], request=InvitationSerializer,
                   responses={201: InvitationSerializer}, summary="Invite a person by e-mail")
    @action(detail=True, methods=["get", "post"])
    def invitations(self, request, pk=None):
        org = self.get_object()
        is_admin = bool(queries.roles_in(request.user, org) & ADMIN_ROLES)
        if not is_admin and not (request.user.is_superuser and request.method == "POST"):
            raise PermissionDenied(_("You are not an administrator of this organisation."))
        if request.method == "GET":
            return paginated(self, queries.pending_invitations(org), InvitationSerializer)
        ser = InvitationSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(
            org=org, actor=request.user, email=ser.validated_data["email"],
            role=ser.validated_data["role"], base_url=request.build_absolute_uri("/"))
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Withdraw a pending invitation")
    @action(detail=True, methods=["delete"], url_path=r"invitations/(?P<invitation_id>\d+)")
    def invitation_revoke(self, request, pk=None, invitation_id=None):
        org = queries.organisation_admin_for_user(request.user, pk)
        invitation = Invitation.objects.filter(organisation=org, pk=invitation_id).first()
        if invitation is None:
            raise Http404
        services.invitation_revoke(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=NetworkMembershipSerializer(many=True),
                   summary="Member organisations of a CSO network")
    @extend_schema(methods=["POST"], request=NetworkMembershipSerializer,
                   responses={201: NetworkMembershipSerializer},
                   summary="Add a member organisation to a CSO network")
    @action(detail=True, methods=["get", "post"], url_path="network-members")
    def network_members(self, request, pk=None):
        org = self.get_object()
        if not org.is_network:
            raise Http404
        if request.method == "GET":
            return paginated(self, queries.network_members(org), NetworkMembershipSerializer)
        ser = NetworkMembershipSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        member = queries.organisation_for_user(request.user, ser.validated_data["member"].pk)
        link = services.network_member_add(network=org, member=member, actor=request.user,
                                           joined_on=ser.validated_data.get("joined_on"))
        return Response(NetworkMembershipSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=PointOfContactSerializer(many=True),
                   summary="Anti-trafficking points of contact (any member of any "
                           "organisation)")
    @extend_schema(methods=["POST"], request=PointOfContactSerializer,
                   responses={201: PointOfContactSerializer},
                   summary="Add a point of contact (the organisation's administrators)")
    @action(detail=True, methods=["get", "post"])
    def contacts(self, request, pk=None):
        org = self.get_object()
        if request.method == "GET":
            return paginated(self, queries.points_of_contact(org), PointOfContactSerializer)
        if not queries.roles_in(request.user, org) & ADMIN_ROLES:
            raise PermissionDenied(_("You are not an administrator of this organisation."))
        ser = PointOfContactSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        contact = services.contact_add(org=org, actor=request.user, user=data.pop("user"), **data)
        return Response(PointOfContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], request=PointOfContactSerializer,
                   responses=PointOfContactSerializer, summary="Change a point of contact")
    @extend_schema(methods=["DELETE"], request=None, responses={204: None},
                   summary="Remove a point of contact")
    @action(detail=True, methods=["patch", "delete"],
            url_path=r"contacts/(?P<contact_id>\d+)")
    def contact(self, request, pk=None, contact_id=None):
        org = queries.organisation_admin_for_user(request.user, pk)
        contact = queries.contact_for_admin(request.user, org, contact_id)
        if request.method == "DELETE":
            services.contact_remove(contact=contact, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        ser = PointOfContactSerializer(contact, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if "user" in data and data.pop("user") != contact.user:
            raise serializers.ValidationError({"user": [_(
                "The person cannot change: remove this contact and add another.")]})
        services.contact_update(contact=contact, actor=request.user, data=data)
        contact.refresh_from_db()
        return Response(PointOfContactSerializer(contact).data)


class MembershipViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                        viewsets.GenericViewSet):
    """Change a person's role or (de)activate a membership: administrators of its organisation."""

    serializer_class = MembershipSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_permissions(self):
        return [*super().get_permissions(), RecentlyAuthenticated()]

    def get_queryset(self):
        admin_orgs = queries.orgs_where(self.request.user, ADMIN_ROLES)
        return Membership.objects.filter(organisation__in=admin_orgs).select_related(
            "user", "organisation")

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        ser = self.get_serializer(membership, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        from django.db import transaction

        with transaction.atomic():
            if "role" in ser.validated_data:
                membership = services.membership_change_role(
                    membership=membership, actor=request.user, role=ser.validated_data["role"])
            if "is_active" in ser.validated_data:
                membership = services.membership_set_active(
                    membership=membership, actor=request.user,
                    active=ser.validated_data["is_active"])
        return Response(self.get_serializer(membership).data)


# --- coordination mechanisms (task forces) -----------------------------------------------

class MechanismMemberSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    role = serializers.ChoiceField(choices=MechanismMember.MemberRole.choices,
                                   default=MechanismMember.MemberRole.MEMBER)

    class Meta:
        model = MechanismMember
        fields = ["id", "organisation", "organisation_name", "role"]
        read_only_fields = ["id", "organisation_name"]
        validators: list = []  # the service reports a duplicate against `organisation`


class MechanismSerializer(ModelSerializer):
    level = serializers.ChoiceField(choices=CoordinationMechanism.Level.choices,
                                    default=CoordinationMechanism.Level.NATIONAL)
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    members = serializers.SerializerMethodField()

    class Meta:
        model = CoordinationMechanism
        fields = ["id", "name", "level", "country", "area", "description", "convener", "members"]
        read_only_fields = ["id", "members"]
        validators: list = []  # the service reports a name clash against `name`

    @extend_schema_field(MechanismMemberSerializer(many=True))
    def get_members(self, obj) -> list[dict]:
        request = self.context["request"]
        return MechanismMemberSerializer(queries.mechanism_members_for(request.user, obj),
                                         many=True).data


class MeetingSerializer(ModelSerializer):
    attendees = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.all(),
        help_text="Member organisations present (ids)")
    agenda = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="",
                                   help_text="Never victims' personal data")
    decisions = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                      default="", help_text="Never victims' personal data")

    class Meta:
        model = MechanismMeeting
        fields = ["id", "held_on", "attendees", "agenda", "decisions", "created_at"]
        read_only_fields = ["id", "created_at"]


@extend_schema_view(
    list=extend_schema(summary="Coordination mechanisms (task forces): any member of any "
                               "organisation",
                       parameters=form_parameters(MechanismFilterForm)),
    retrieve=extend_schema(summary="One mechanism with its member organisations"),
    create=extend_schema(summary="Create a mechanism (administrators of the convener, or "
                                 "platform administrators)"),
    partial_update=extend_schema(summary="Update a mechanism (administrators of the convener)"),
)
class MechanismViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       viewsets.GenericViewSet):
    serializer_class = MechanismSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        qs = queries.mechanisms_visible_to(self.request.user)
        if self.action == "list":  # the screen's filters, with its value lists
            params = list_filters(self.request, MechanismFilterForm).cleaned_data
            if params["country"]:
                qs = qs.filter(country=params["country"])
            if params["level"]:
                qs = qs.filter(level=params["level"])
        return qs.order_by("country", "name")

    def get_object(self):
        return queries.mechanism_for_user(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        convener = queries.organisation_for_user(request.user, data.pop("convener").pk)
        mechanism = services.mechanism_create(actor=request.user, convener=convener, **data)
        return Response(self.get_serializer(mechanism).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"detail": _("Use PATCH.")}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        mechanism = queries.mechanism_admin_for_user(request.user, kwargs["pk"])
        ser = self.get_serializer(mechanism, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if "convener" in data and data.pop("convener") != mechanism.convener:
            raise serializers.ValidationError({"convener": [_("The convener cannot change.")]})
        services.mechanism_update(mechanism=mechanism, actor=request.user, data=data)
        mechanism.refresh_from_db()
        return Response(self.get_serializer(mechanism).data)

    @extend_schema(methods=["GET"], responses=MechanismMemberSerializer(many=True),
                   summary="Member organisations (as for the mechanism)")
    @extend_schema(methods=["POST"], request=MechanismMemberSerializer,
                   responses={201: MechanismMemberSerializer},
                   summary="Add a member organisation (administrators of the convener)")
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        mechanism = self.get_object()
        if request.method == "GET":
            return paginated(self, queries.mechanism_members_for(request.user, mechanism),
                             MechanismMemberSerializer)
        mechanism = queries.mechanism_admin_for_user(request.user, pk)
        ser = MechanismMemberSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        organisation = queries.organisation_for_user(request.user,
                                                     ser.validated_data["organisation"].pk)
        member = services.mechanism_member_add(mechanism=mechanism, actor=request.user,
                                               organisation=organisation,
                                               role=ser.validated_data["role"])
        return Response(MechanismMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None},
                   summary="Remove a member organisation (administrators of the convener)")
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_id>\d+)")
    def member_remove(self, request, pk=None, member_id=None):
        mechanism = queries.mechanism_admin_for_user(request.user, pk)
        member = MechanismMember.objects.filter(mechanism=mechanism, pk=member_id).first()
        if member is None:
            raise Http404
        services.mechanism_member_remove(member=member, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=MeetingSerializer(many=True),
                   summary="Meeting records (people of member organisations, others get 404)")
    @extend_schema(methods=["POST"], request=MeetingSerializer, responses={201: MeetingSerializer},
                   summary="Record a meeting (administrators of the convener)")
    @action(detail=True, methods=["get", "post"])
    def meetings(self, request, pk=None):
        mechanism = queries.mechanism_with_meetings_for_user(request.user, pk)
        if request.method == "GET":
            page = self.paginate_queryset(queries.mechanism_meetings(mechanism))
            return self.get_paginated_response(MeetingSerializer(page, many=True).data)
        if not queries.may_manage_mechanism(request.user, mechanism):
            raise PermissionDenied(_("Only administrators of the convening organisation can "
                                     "change this mechanism."))
        ser = MeetingSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        meeting = services.meeting_record(mechanism=mechanism, actor=request.user,
                                          held_on=data["held_on"],
                                          attendees=list(data["attendees"]),
                                          agenda=data["agenda"], decisions=data["decisions"])
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)
