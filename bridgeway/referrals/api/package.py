"""Referrals to organisations not on the platform, through the API: sending one
(POST /api/v1/referrals/offplatform/) and handing over its encrypted package
(POST /api/v1/referrals/{id}/package/)."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from bridgeway.cases.queries import case_for_user
from bridgeway.referrals import package, services
from bridgeway.referrals.queries import SENDER, referral_for_user
from bridgeway.referrals.views.package import package_file_response


class OffPlatformCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    offplatform_name = serializers.CharField(allow_blank=True, max_length=200)
    offplatform_country = serializers.CharField(allow_blank=True, max_length=2)
    offplatform_type = serializers.CharField(allow_blank=True, max_length=40)
    offplatform_contact = serializers.CharField(allow_blank=True, max_length=500,
                                                write_only=True)
    # Languages are checked by the service (one of the platform's languages).
    package_language = serializers.CharField(required=False, default=settings.LANGUAGE_CODE,
                                             max_length=10)
    sections = serializers.ListField(child=serializers.CharField())
    services = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    reason_text = serializers.CharField(required=False, allow_blank=True, default="")
    urgency = serializers.CharField()
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class PackageRequestSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=package.MODES)
    passphrase = serializers.CharField(required=False, allow_blank=True, default="",
                                       trim_whitespace=False, write_only=True,
                                       help_text="passphrase mode: at least 12 characters; "
                                                 "never stored")
    public_key = serializers.CharField(required=False, allow_blank=True, default="",
                                       help_text="key mode: the recipient's X25519 public key, "
                                                 "base64")
    language = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=10)


class PackageActions:
    @extend_schema(request=OffPlatformCreateSerializer, responses={201: OpenApiTypes.OBJECT},
                   summary="Refer a case to an organisation that is not on the platform")
    @action(detail=False, methods=["post"], url_path="offplatform")
    def offplatform(self, request):
        ser = OffPlatformCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        case = case_for_user(request.user, data["case"])
        referral = services.referral_send(
            case=case, actor=request.user, recipient=None, sections=data["sections"],
            services=data["services"], reason=data["reason"], reason_text=data["reason_text"],
            urgency=data["urgency"], override_reason=data["override_reason"], offplatform={
                "name": data["offplatform_name"], "country": data["offplatform_country"],
                "org_type": data["offplatform_type"], "contact": data["offplatform_contact"],
                "language": data["package_language"]})
        return self._out(referral, SENDER, status.HTTP_201_CREATED)

    @extend_schema(request=PackageRequestSerializer,
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   summary="Hand over the encrypted package (sender; recorded)")
    @action(detail=True, methods=["post"])
    def package(self, request, pk=None):
        referral, side = referral_for_user(request.user, pk)
        if side != SENDER or not referral.is_offplatform:
            raise Http404
        ser = PackageRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        sealed = package.package_hand_over(referral=referral, actor=request.user,
                                           **ser.validated_data)
        return package_file_response(referral, sealed)
