"""An organisation's case settings through the API."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.cases import services
from bridgeway.cases.api.serializers import CaseSettingsSerializer
from bridgeway.cases.queries import case_settings_for
from bridgeway.orgs.codes import Role


class CaseSettingsView(APIView):
    """An organisation's case settings: administrators change them, supervisors read them."""

    def _org(self, request, org_pk):
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
