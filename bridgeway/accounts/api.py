from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.accounts.mfa import user_has_mfa
from bridgeway.orgs.queries import active_memberships


class _MembershipBrief(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    preferred_language = serializers.CharField()
    mfa_enabled = serializers.BooleanField()
    memberships = _MembershipBrief(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The caller's account and roles")
    def get(self, request):
        user = request.user
        return Response(MeSerializer({
            "id": user.pk, "email": user.email, "full_name": user.full_name,
            "preferred_language": user.preferred_language, "mfa_enabled": user_has_mfa(user),
            "memberships": active_memberships(user),
        }).data)
