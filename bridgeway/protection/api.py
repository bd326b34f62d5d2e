from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.core.api import RefusesUnknownFilters, list_filters
from bridgeway.core.api_schema import UPLOADED_FILE, ModelSerializer, file_response
from bridgeway.orgs.codes import Role
from bridgeway.orgs.queries import organisation_audit_for_user, orgs_where
from bridgeway.protection import services
from bridgeway.protection.models import (
    AccessLogEntry,
    AuditEvent,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    EncryptedDocument,
    ErasureRequest,
)
from bridgeway.protection.queries import (
    CASE_ROLES,
    access_log_for_org,
    audit_events_for_org,
    erasure_requests_for_org,
    subject_for_user,
)
from bridgeway.protection.responses import document_response, export_response


class AuditEventSerializer(ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["seq", "created_at", "actor", "organisation", "action", "object_type",
                  "object_id", "payload", "hash"]


class _Filters(serializers.Serializer):
    action = serializers.CharField(required=False, allow_blank=True, max_length=100)
    actor = serializers.IntegerField(required=False, min_value=1)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


@extend_schema(
    summary="An organisation's audit events (its administrators and data protection officers)",
    parameters=[
        OpenApiParameter("action", OpenApiTypes.STR, description="action code prefix"),
        OpenApiParameter("actor", OpenApiTypes.INT),
        OpenApiParameter("since", OpenApiTypes.DATE),
        OpenApiParameter("until", OpenApiTypes.DATE),
    ],
)
class AuditEventList(ListAPIView):
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        org = organisation_audit_for_user(self.request.user, self.kwargs["org_pk"])
        data = list_filters(self.request, _Filters).validated_data
        return audit_events_for_org(org, action=data.get("action", ""), actor_id=data.get("actor"),
                                    since=data.get("since"), until=data.get("until"))


# --- personal data -----------------------------------------------------------------------
class ConsentSerializer(ModelSerializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    recipient_type = serializers.CharField(required=False, allow_blank=True, default="")
    witness_or_guardian = serializers.CharField(required=False, allow_blank=True, default="",
                                                max_length=200, write_only=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                 write_only=True)

    class Meta:
        model = Consent
        fields = ["id", "purpose", "recipient_type", "method", "given_on", "expires_on",
                  "witness_or_guardian", "note", "recorded_at", "withdrawn_at"]
        read_only_fields = ["id", "recorded_at", "withdrawn_at"]


class ConsentList(APIView):
    @extend_schema(responses=ConsentSerializer(many=True),
                   summary="A person's consent records (case roles and DPO of their organisation)")
    def get(self, request, pk):
        subject = subject_for_user(request.user, pk)
        return Response(ConsentSerializer(Consent.objects.filter(subject=subject), many=True).data)

    @extend_schema(request=ConsentSerializer, responses={201: ConsentSerializer},
                   summary="Record consent")
    def post(self, request, pk):
        subject = subject_for_user(request.user, pk)
        ser = ConsentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        consent = services.consent_record(subject=subject, actor=request.user,
                                          **ser.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdraw(APIView):
    @extend_schema(request=None, responses=ConsentSerializer, summary="Withdraw consent")
    def post(self, request, pk, consent_id):
        subject = subject_for_user(request.user, pk)
        consent = Consent.objects.filter(subject=subject, pk=consent_id).first()
        if consent is None:
            raise Http404
        return Response(ConsentSerializer(services.consent_withdraw(consent=consent,
                                                                    actor=request.user)).data)


class ConsentCheckView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("purpose", OpenApiTypes.STR, required=True,
                                     enum=ConsentPurpose.values),
                    OpenApiParameter("recipient_type", OpenApiTypes.STR)],
        responses=inline_serializer("ConsentCheck", {"allowed": serializers.BooleanField(),
                                                     "reason": serializers.CharField()}),
        summary="Is there consent for this purpose now?")
    def get(self, request, pk):
        subject = subject_for_user(request.user, pk)
        purpose = request.query_params.get("purpose", "")
        if purpose not in ConsentPurpose.values:
            return Response({"purpose": [f"Choose one of: {', '.join(ConsentPurpose.values)}."]},
                            status=status.HTTP_400_BAD_REQUEST)
        check = services.consent_check(subject=subject, purpose=purpose,
                                       recipient_type=request.query_params.get("recipient_type",
                                                                               ""))
        return Response({"allowed": check.allowed, "reason": check.reason})


class DocumentSerializer(ModelSerializer):
    class Meta:
        model = EncryptedDocument
        fields = ["id", "content_type", "size", "uploaded_at"]


class DocumentUpload(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=inline_serializer("DocumentUpload", {"file": serializers.FileField()}),
                   responses={201: DocumentSerializer},
                   summary="Upload a document (encrypted at rest; type sniffed; size limited)")
    def post(self, request, pk):
        subject = subject_for_user(request.user, pk, roles=CASE_ROLES)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return Response({"file": ["Attach the file as `file`."]},
                            status=status.HTTP_400_BAD_REQUEST)
        doc = services.document_upload(subject=subject, actor=request.user, uploaded=uploaded)
        return Response(DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)


class DocumentDownload(APIView):
    @extend_schema(responses=file_response(description=UPLOADED_FILE),
                   summary="Download a document, decrypted after the permission check")
    def get(self, request, pk, document_id):
        subject = subject_for_user(request.user, pk, roles=CASE_ROLES)
        doc = EncryptedDocument.objects.filter(subject=subject, pk=document_id).first()
        if doc is None:
            raise Http404
        return document_response(user=request.user, doc=doc, screen="api-document-download")


class AccessLogSerializer(ModelSerializer):
    subject_reference = serializers.CharField(source="subject.reference")

    class Meta:
        model = AccessLogEntry
        fields = ["at", "user", "subject", "subject_reference", "screen", "via", "flags"]


def _dpo_org(user, org_pk):
    org = organisation_audit_for_user(user, org_pk)  # members only; 404 for others
    if org not in orgs_where(user, [Role.DPO]):
        from rest_framework.exceptions import PermissionDenied

        raise PermissionDenied("Only the organisation's data protection officers can read this.")
    return org


class _AccessFilters(serializers.Serializer):
    flagged = serializers.BooleanField(required=False)
    user = serializers.IntegerField(required=False, min_value=1)


@extend_schema(parameters=[OpenApiParameter("flagged", OpenApiTypes.BOOL),
                           OpenApiParameter("user", OpenApiTypes.INT)],
               summary="Who saw whose personal data (data protection officers)")
class AccessLogList(ListAPIView):
    serializer_class = AccessLogSerializer

    def get_queryset(self):
        org = _dpo_org(self.request.user, self.kwargs["org_pk"])
        params = list_filters(self.request, _AccessFilters).validated_data
        return access_log_for_org(org, user_id=params.get("user"),
                                  flagged=params.get("flagged", False))


class ErasureSerializer(ModelSerializer):
    subject_reference = serializers.CharField(source="subject.reference")

    class Meta:
        model = ErasureRequest
        fields = ["id", "subject", "subject_reference", "reason", "status", "due_since",
                  "requested_at", "decided_at"]


@extend_schema(summary="Pending erasure requests (data protection officers)")
class ErasureList(RefusesUnknownFilters, ListAPIView):
    serializer_class = ErasureSerializer

    def get_queryset(self):
        return erasure_requests_for_org(_dpo_org(self.request.user, self.kwargs["org_pk"]))


class ErasureDecide(APIView):
    @extend_schema(request=inline_serializer("ErasureDecision", {
        "decision": serializers.ChoiceField(choices=["erase", "keep"])}),
        responses=ErasureSerializer, summary="Erase (crypto-shred) or keep")
    def post(self, request, pk):
        dpo_orgs = orgs_where(request.user, [Role.DPO])
        erasure = ErasureRequest.objects.filter(pk=pk, organisation__in=dpo_orgs).first()
        if erasure is None:
            raise Http404
        decision = request.data.get("decision")
        if decision not in ("erase", "keep"):
            return Response({"decision": ["Choose erase or keep."]},
                            status=status.HTTP_400_BAD_REQUEST)
        result = services.erasure_decide(request=erasure, actor=request.user,
                                         approve=decision == "erase")
        return Response(ErasureSerializer(result).data)


class ErasureAsk(APIView):
    @extend_schema(request=inline_serializer("ErasureAsk", {
        "reason": serializers.ChoiceField(choices=["subject_request", "unlawful"])}),
        responses={201: ErasureSerializer},
        summary="Ask for a person's data to be erased (a data protection officer decides)")
    def post(self, request, pk):
        subject = subject_for_user(request.user, pk)
        reason = request.data.get("reason")
        if reason not in ("subject_request", "unlawful"):
            return Response({"reason": ["Choose subject_request or unlawful."]},
                            status=status.HTTP_400_BAD_REQUEST)
        req = services.erasure_request(subject=subject, actor=request.user, reason=reason)
        return Response(ErasureSerializer(req).data, status=status.HTTP_201_CREATED)


class LegalHold(APIView):
    @extend_schema(request=inline_serializer("LegalHold", {"hold": serializers.BooleanField()}),
                   responses=inline_serializer("LegalHoldState",
                                               {"hold": serializers.BooleanField()}),
                   summary="Place or lift a legal hold (data protection officers)")
    def post(self, request, pk):
        subject = subject_for_user(request.user, pk, roles=[Role.DPO])
        hold = request.data.get("hold")
        if not isinstance(hold, bool):
            return Response({"hold": ["Send true or false."]}, status=status.HTTP_400_BAD_REQUEST)
        services.legal_hold_set(subject=subject, actor=request.user, hold=hold)
        return Response({"hold": hold})


class SubjectExport(APIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY},
                   summary="Subject-access export: ZIP with subject.html, subject.json and "
                           "documents (data protection officers; audited)")
    def get(self, request, pk):
        from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate

        subject = subject_for_user(request.user, pk, roles=[Role.DPO])
        if request.auth is None and not did_recently_reauthenticate(request._request):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("Re-authenticate (or use an API token) before exporting.")
        if subject.is_erased:
            return Response({"detail": "This person's data was erased."},
                            status=status.HTTP_410_GONE)
        return export_response(user=request.user, subject=subject, screen="api-subject-export")


class RetentionPolicyView(APIView):
    _shape = inline_serializer("RetentionPolicy", {
        "years_after_closure": serializers.IntegerField(min_value=1, max_value=100)})

    @extend_schema(responses=_shape, summary="The organisation's retention policy (DPOs)")
    def get(self, request, org_pk):
        org = _dpo_org(request.user, org_pk)
        return Response({"years_after_closure": services.retention_years(org)})

    @extend_schema(request=_shape, responses=_shape, summary="Set the retention policy (DPOs)")
    def put(self, request, org_pk):
        org = _dpo_org(request.user, org_pk)
        years = request.data.get("years_after_closure")
        if not isinstance(years, int) or isinstance(years, bool):
            return Response({"years_after_closure": ["Send a whole number of years."]},
                            status=status.HTTP_400_BAD_REQUEST)
        policy = services.retention_policy_set(org=org, actor=request.user, years=years)
        return Response({"years_after_closure": policy.years_after_closure})
