from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from bridgeway.orgs import queries, services
from bridgeway.orgs.codes import ADMIN_ROLES, OrgType, Role, Service
from bridgeway.orgs.models import Invitation, Membership, NetworkMembership, Organisation


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


class OrganisationSerializer(serializers.ModelSerializer):
    services = ServiceSerializer(many=True, required=False)
    org_type = serializers.ChoiceField(choices=OrgType.choices)
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False,
                                      help_text="ISO 639 codes")
    networks = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "org_type", "country", "city", "languages", "phone", "email",
                  "website", "description", "listed_in_directory", "services", "networks"]

    def get_networks(self, obj) -> list[int]:
        return [n.pk for n in queries.networks_of(obj)]

    def validate(self, attrs):
        # Field rules (codes, uniqueness) live in the services, so UI and API share them.
        return attrs


class MembershipSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "user", "user_name", "role", "is_active", "created_at"]
        read_only_fields = ["id", "organisation", "user", "user_name", "created_at"]


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at", "expires_at"]
        read_only_fields = ["id", "created_at", "expires_at"]


class NetworkMembershipSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = NetworkMembership
        fields = ["id", "member", "member_name", "joined_on"]
        read_only_fields = ["id", "member_name"]


@extend_schema_view(
    list=extend_schema(summary="The directory of organisations the caller may see"),
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
        qs = queries.organisations_visible_to(self.request.user).prefetch_related("services")
        params = self.request.query_params
        if params.get("country"):
            qs = qs.filter(country=params["country"].upper())
        if params.get("org_type"):
            qs = qs.filter(org_type=params["org_type"])
        if params.get("service"):
            qs = qs.filter(services__service=params["service"]).distinct()
        return qs.order_by("name")

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

    @extend_schema(request=InvitationSerializer, responses=InvitationSerializer(many=True),
                   summary="Pending invitations (GET) or invite a person by e-mail (POST)")
    @action(detail=True, methods=["get", "post"])
    def invitations(self, request, pk=None):
        org = self.get_object()
        is_admin = bool(queries.roles_in(request.user, org) & ADMIN_ROLES)
        if not is_admin and not (request.user.is_superuser and request.method == "POST"):
            raise PermissionDenied(_("You are not an administrator of this organisation."))
        if request.method == "GET":
            return Response(InvitationSerializer(queries.pending_invitations(org), many=True).data)
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

    @extend_schema(request=NetworkMembershipSerializer,
                   responses=NetworkMembershipSerializer(many=True),
                   summary="Member organisations of a CSO network")
    @action(detail=True, methods=["get", "post"], url_path="network-members")
    def network_members(self, request, pk=None):
        org = self.get_object()
        if not org.is_network:
            raise Http404
        if request.method == "GET":
            return Response(NetworkMembershipSerializer(queries.network_members(org),
                                                        many=True).data)
        ser = NetworkMembershipSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        member = queries.organisation_for_user(request.user, ser.validated_data["member"].pk)
        link = services.network_member_add(network=org, member=member, actor=request.user,
                                           joined_on=ser.validated_data.get("joined_on"))
        return Response(NetworkMembershipSerializer(link).data, status=status.HTTP_201_CREATED)


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
