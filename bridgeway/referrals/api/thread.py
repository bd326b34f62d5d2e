"""The referral thread through the API: GET/POST /api/v1/referrals/{id}/messages/ and the
attachment download. Mixed into the referral viewset so the routes sit under each referral."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from bridgeway.core.api_schema import UPLOADED_FILE, TextField, file_response, paginated
from bridgeway.protection.responses import document_response
from bridgeway.referrals import thread
from bridgeway.referrals.models import ReferralMessage


class ReadReceiptSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    person = serializers.CharField()
    read_at = serializers.DateTimeField()


class MessageAttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class ReferralMessageSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    side = serializers.CharField()
    mine = serializers.BooleanField()
    organisation = serializers.CharField()
    author = serializers.CharField()
    body = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    attachment = MessageAttachmentSerializer(allow_null=True)
    read_by = ReadReceiptSerializer(many=True, help_text="on your own side's messages: who on "
                                                         "the other side read it, and when")


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": ReferralMessage.MAX_BODY,
                      "pattern": r"\S"})
class MessageBodyField(TextField):
    """Length and emptiness are checked by the service, with its messages; the schema says
    what it accepts."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, **kwargs)


class MessagePostSerializer(serializers.Serializer):
    body = MessageBodyField()
    attachment = serializers.FileField(required=False, allow_null=True)


class MessageTextSerializer(serializers.Serializer):
    """A message without an attachment, as JSON (an attachment needs multipart/form-data)."""

    body = MessageBodyField()


class ThreadActions:
    @extend_schema(methods=["GET"], responses=ReferralMessageSerializer(many=True),
                   summary="The referral's confidential thread (marks messages as read)")
    @extend_schema(methods=["POST"], request={"multipart/form-data": MessagePostSerializer,
                                              "application/json": MessageTextSerializer},
                   responses={201: ReferralMessageSerializer},
                   summary="Post a message (either side, while pending or accepted)")
    @action(detail=True, methods=["get", "post"], url_path="messages",
            parser_classes=[JSONParser, MultiPartParser, FormParser])
    def messages(self, request, pk=None):
        referral, side = thread.thread_for_user(request.user, pk)
        if request.method == "POST":
            ser = MessagePostSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            message = thread.message_post(referral=referral, actor=request.user,
                                          body=ser.validated_data["body"],
                                          attachment=ser.validated_data.get("attachment"))
            rows = thread.thread_read(referral=referral, side=side, user=request.user)
            row = next(r for r in rows if r["id"] == message.pk)
            return Response(ReferralMessageSerializer(row).data, status=status.HTTP_201_CREATED)
        rows = thread.thread_read(referral=referral, side=side, user=request.user)
        return paginated(self, rows, ReferralMessageSerializer)

    @extend_schema(responses=file_response(description=UPLOADED_FILE),
                   summary="Download a message's attachment (both sides)")
    @action(detail=True, methods=["get"],
            url_path=r"messages/(?P<message_id>[0-9a-f-]{36})/attachment")
    def message_attachment(self, request, pk=None, message_id=None):
        referral, side = thread.thread_for_user(request.user, pk)
        doc = thread.message_attachment(referral, message_id)
        return document_response(user=request.user, doc=doc, screen="api-referral-attachment")
