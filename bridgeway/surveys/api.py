"""Surveys through the API, with the same scoping and rules as the screens: surveys, their forms
(an upload answers with the questions it will serve, or a 400 naming sheet, row and column),
submissions (JSON, or an XForm instance as XML, as ODK Collect-style clients send) and the
aggregates (the survey's coordinators only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from lxml import etree
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from bridgeway.core.api import RefusesUnknownFilters, list_filters
from bridgeway.core.api_schema import ModelSerializer, paginated
from bridgeway.surveys import aggregate, queries, services
from bridgeway.surveys.codes import Scope, SubmissionStatus, SurveyStatus
from bridgeway.surveys.models import Submission, Survey
from bridgeway.surveys.texts import full_answers
from bridgeway.surveys.xlsform import MAX_UPLOAD, questions_summary


def _raise(exc: DjangoValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else
                          {"non_field_errors": exc.messages})


class XFormInstanceParser(BaseParser):
    """An XForm instance (`<form_root id="…">…</form_root>`), read without entities, DTDs or
    network access."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(MAX_UPLOAD + 1) if stream is not None else b""
        if len(data) > MAX_UPLOAD:
            raise ParseError("The XML instance is too large.")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False, remove_comments=True, remove_pis=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError:
            raise ParseError("The body is not well-formed XML.") from None
        return {"_instance": root}


def instance_to_answers(spec: dict[str, Any], root: Any) -> dict[str, Any]:
    def local(el: Any) -> str:
        return etree.QName(el).localname if isinstance(el.tag, str) else ""

    def read(nodes: list[dict[str, Any]], el: Any, out: dict[str, Any]) -> None:
        children = [c for c in el if isinstance(c.tag, str)]
        for node in nodes:
            found = [c for c in children if local(c) == node["name"]]
            if node["kind"] == "group":
                if found:
                    read(node["children"], found[0], out)
            elif node["kind"] == "repeat":
                items = []
                for item_el in found[:500]:
                    item: dict[str, Any] = {}
                    read(node["children"], item_el, item)
                    items.append(item)
                out[node["name"]] = items
            elif found:
                text = (found[0].text or "").strip()
                out[node["name"]] = text.split() if node["type"] == "select_multiple" else text

    answers: dict[str, Any] = {}
    read(spec["children"], root, answers)
    return answers


class SurveySerializer(ModelSerializer):
    status = serializers.ChoiceField(choices=SurveyStatus.choices, read_only=True)
    scope = serializers.ChoiceField(choices=Scope.choices, read_only=True)
    languages = serializers.SerializerMethodField()
    form_version = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["id", "network", "title", "description", "status", "scope", "deadline",
                  "threshold", "form_version", "languages", "created_at"]
        read_only_fields = fields

    def get_languages(self, obj) -> list[str]:
        return obj.current_version.spec["languages"] if obj.current_version else []

    def get_form_version(self, obj) -> int | None:
        return obj.current_version.number if obj.current_version else None


class QuestionSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    labels = serializers.DictField(child=serializers.CharField(),
                                   help_text="label per language of the form")
    repeat = serializers.CharField(allow_null=True,
                                   help_text="the repeat the question belongs to, if any")


class FormUploadSerializer(serializers.Serializer):
    xlsform = serializers.FileField(help_text="the XLSForm (.xlsx)")


class FormVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    form_id = serializers.CharField()
    title = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    questions = QuestionSerializer(many=True)


class SubmissionSerializer(ModelSerializer):
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, read_only=True)
    form_version = serializers.IntegerField(source="version.number", read_only=True)
    answers = serializers.SerializerMethodField(help_text="answers by question name; a repeat "
                                                "is a list of such objects (free text opened "
                                                "for the caller, who may see it)")

    class Meta:
        model = Submission
        fields = ["id", "organisation", "status", "form_version", "revision", "language",
                  "answers", "started_at", "updated_at", "submitted_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_answers(self, sub: Submission) -> dict[str, Any]:
        return full_answers(sub)


class SubmissionWriteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="the invited organisation answering")
    answers = serializers.DictField(help_text="answers by question name; a repeat is a list "
                                    "of objects; a select_multiple a list of choice names")
    submit = serializers.BooleanField(default=False, help_text="false saves a draft")
    revision = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        min_value=1, help_text="the revision the answers "
                                        "started from (refused if someone saved since)")
    language = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=60)


class SurveyTextSerializer(serializers.Serializer):
    submission = serializers.IntegerField(help_text="the submission the answer belongs to")
    place = serializers.CharField(help_text="where the answer is in the submission's answers: "
                                  "the question's name, or repeat/entry/name inside a repeat "
                                  "(entries counted from 0)")
    answer = serializers.CharField(help_text="the answer, opened for the caller")


class TextFilters(serializers.Serializer):
    question = serializers.CharField(max_length=255, help_text="the name of a free-text "
                                     "question of the survey")
    split = serializers.CharField(required=False, default="", help_text="_country, _org_type "
                                  "or the name of a select_one question; with `group`, only "
                                  "that group's answers")
    group = serializers.CharField(required=False, default="", max_length=255,
                                  help_text="a value of the split (a country code, an "
                                  "organisation type, a choice name; ? for not answered)")

    def validate_question(self, value: str) -> dict[str, Any]:
        q = aggregate.text_question(self.context["survey"], value)
        if q is None:
            raise ValidationError(_("This survey has no free-text question “%(name)s”.")
                                  % {"name": value})
        return q

    def validate_split(self, value: str) -> str:
        if value and value not in dict(aggregate.split_options(self.context["survey"])):
            raise ValidationError(_("The answers cannot be split by “%(split)s”.")
                                  % {"split": value})
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("group") and not attrs.get("split"):
            raise ValidationError({"group": [_("A group needs a split.")]})
        return attrs


class SurveyViewSet(RefusesUnknownFilters, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = SurveySerializer

    def get_queryset(self):
        return queries.surveys_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_object(self):
        return queries.survey_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request={"multipart/form-data": FormUploadSerializer},
                   responses={201: FormVersionSerializer},
                   description="Upload a new version of the survey's XLSForm (coordinators). "
                   "A form that cannot be served is a 400 naming sheet, row and column.")
    @action(detail=True, methods=["post"], url_path="forms",
            parser_classes=[MultiPartParser])
    def forms(self, request, pk=None):
        survey = self.get_object()
        s = FormUploadSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        upload = s.validated_data["xlsform"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError({"xlsform": ["The file is larger than 5 MB."]})
        try:
            version = services.form_upload(survey=survey, actor=request.user,
                                           xlsform=upload.read(), filename=upload.name)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            _raise(exc)
        return Response({"version": version.number, "form_id": version.form_id,
                         "title": version.title, "languages": version.spec["languages"],
                         "questions": questions_summary(version.spec)},
                        status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses={200: SubmissionSerializer(many=True)},
                   description="The submissions the caller may see: all of them for the "
                   "survey's coordinators, their own organisation's (or their own) for "
                   "members.")
    @extend_schema(methods=["post"], request={"application/json": SubmissionWriteSerializer,
                                              "application/xml": {"type": "string"}},
                   responses={201: SubmissionSerializer},
                   parameters=[OpenApiParameter("organisation", int, required=False,
                                                description="with an XML instance: the "
                                                "organisation answering")],
                   description="Save a draft or submit. JSON, or an XForm instance as XML "
                   "(then it is submitted). A refused submission is a 400 naming each "
                   "question; nothing is saved.")
    @action(detail=True, methods=["get", "post"], url_path="submissions",
            parser_classes=[JSONParser, XFormInstanceParser])
    def submissions(self, request, pk=None):
        survey = self.get_object()
        if request.method == "GET":
            qs = Submission.objects.filter(survey=survey).select_related("version")
            if not queries.may_coordinate(request.user, survey):
                own = queries.own_org_ids(request.user)
                qs = qs.filter(organisation_id__in=own)
                if survey.scope == Scope.PERSON:
                    qs = qs.filter(respondent=request.user)
            return paginated(self, qs.order_by("pk"), SubmissionSerializer)
        if "_instance" in request.data:
            version = survey.current_version
            if version is None:
                raise ValidationError({"non_field_errors": ["The survey has no form yet."]})
            data = {"answers": instance_to_answers(version.spec, request.data["_instance"]),
                    "submit": True, "organisation": request.query_params.get("organisation")}
        else:
            data = request.data
        s = SubmissionWriteSerializer(data=data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        orgs = {o.pk: o for o in queries.respondent_orgs(request.user, survey)}
        if d["organisation"] not in orgs:
            raise ValidationError({"organisation": ["Not an organisation of yours invited to "
                                                    "this survey."]})
        try:
            sub, _check = services.submission_save(
                survey=survey, actor=request.user, organisation=orgs[d["organisation"]],
                answers=d["answers"], revision=d["revision"], submit=d["submit"],
                language=d["language"])
        except services.EditConflict as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(SubmissionSerializer(sub).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("split", str, required=False,
                                                description="_country, _org_type or the name "
                                                "of a select_one question")],
                   responses={200: inline_serializer("SurveyAggregates", {
                       "total": serializers.IntegerField(),
                       "threshold": serializers.IntegerField(),
                       "questions": serializers.ListField(child=serializers.DictField())})},
                   description="Counts, percentages and statistics per question (the "
                   "survey's coordinators); cells under the threshold show as \"<k\".")
    @action(detail=True, methods=["get"], url_path="aggregates", filter_backends=[])
    def aggregates(self, request, pk=None):
        survey = self.get_object()
        if not queries.may_coordinate(request.user, survey):
            raise Http404
        unknown = set(request.query_params) - {"split", "format"}
        if unknown:
            raise ValidationError({name: ["Unknown parameter."] for name in sorted(unknown)})
        split = request.query_params.get("split", "")
        if split and split not in dict(aggregate.split_options(survey)):
            raise ValidationError({"split": ["The results cannot be split by this."]})
        report = aggregate.survey_results(survey, split=split)
        for block in report["questions"]:
            block.pop("charts", None)
        return Response(report)

    @extend_schema(parameters=[OpenApiParameter("question", str, required=True,
                                                description="the name of a free-text question"),
                               OpenApiParameter("split", str, required=False,
                                                description="_country, _org_type or the name "
                                                "of a select_one question"),
                               OpenApiParameter("group", str, required=False,
                                                description="with split: a value of the split "
                                                "(? for not answered)")],
                   responses={200: SurveyTextSerializer(many=True)},
                   description="The submitted answers to one free-text question, opened for "
                   "the survey's coordinators (everyone else: 404), a page at a time (`?page=`; "
                   "a page that does not exist is a 404), of the whole survey or of one split "
                   "group. A group smaller than the survey's threshold is a 403: its answers "
                   "are not shown, as on the results screen. Each page read is recorded in the "
                   "audit log (`surveys.texts.read`: the question and how many answers, never "
                   "an answer).")
    @action(detail=True, methods=["get"], url_path="texts", filter_backends=[])
    def texts(self, request, pk=None):
        survey = self.get_object()
        if not queries.may_coordinate(request.user, survey):
            raise Http404
        filters = list_filters(request, TextFilters, context={"survey": survey}).validated_data
        q = filters["question"]
        rows = aggregate.text_rows(survey, q, split=filters["split"], group=filters["group"])
        if 0 < len(rows) < survey.threshold:
            raise PermissionDenied(_("Fewer answers than the survey's smallest group shown "
                                     "(%(k)s): none are shown.") % {"k": survey.threshold})
        page = self.paginate_queryset(rows)
        opened = aggregate.open_rows(page)
        if opened:
            services.record_texts_read(survey=survey, actor=request.user, question=q["name"],
                                       shown=len(opened), via="api")
        return self.get_paginated_response(SurveyTextSerializer(
            [{"submission": sub_id, "place": place, "answer": text}
             for sub_id, place, text in opened], many=True).data)
