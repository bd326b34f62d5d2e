from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.stats import queries, services
from bridgeway.stats.codes import DatasetKind
from bridgeway.stats.exporting import FORMATS, export_file
from bridgeway.stats.models import ImportJob


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    problem = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    problem_count = serializers.IntegerField()
    problems = ProblemSerializer(many=True)
    notices = serializers.ListField(child=serializers.CharField())


class ImportJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    report = serializers.SerializerMethodField()
    records = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "organisation", "kind", "dry_run", "status", "rows_done", "rows_total",
                  "percent", "report", "dataset", "records", "created_at", "finished_at"]

    @extend_schema_field(ReportSerializer)
    def get_report(self, job) -> dict:
        report = job.report or {}
        return {"rows": report.get("rows", 0), "problem_count": report.get("problem_count", 0),
                "problems": report.get("problems", []), "notices": report.get("notices", [])}

    def get_records(self, job) -> int:
        return job.dataset.rows if job.dataset_id and job.status == "done" else 0


class ImportUpload(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=inline_serializer("StatsImportUpload", {
            "file": serializers.FileField(),
            "format": serializers.ChoiceField(choices=[DatasetKind.CTDC, DatasetKind.HTCDS]),
            "dry_run": serializers.BooleanField(default=True),
            "label": serializers.CharField(required=False, max_length=120)}),
        responses={200: ImportJobSerializer, 202: ImportJobSerializer},
        summary="Upload a CTDC or HTCDS file: a dry run answers the report (row, column, "
                "problem); an import adds every row or none (supervisors and organisation "
                "administrators; network coordinators for a network)")
    def post(self, request, org_pk):
        org = queries.stats_org_for_user(request.user, org_pk)
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return Response({"file": ["Attach the file as `file`."]},
                            status=status.HTTP_400_BAD_REQUEST)
        dry_run = str(request.data.get("dry_run", "true")).lower() in ("1", "true", "yes", "on")
        try:
            job = services.job_create(org=org, actor=request.user, upload=uploaded,
                                      kind=request.data.get("format", ""), dry_run=dry_run,
                                      label=request.data.get("label", ""))
        except ValidationError as exc:
            return Response(exc.message_dict if hasattr(exc, "error_dict") else
                            {"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        job = services.job_start(job)
        code = status.HTTP_200_OK if job.finished else status.HTTP_202_ACCEPTED
        return Response(ImportJobSerializer(job).data, status=code)


class ImportJobDetail(APIView):
    @extend_schema(responses=ImportJobSerializer, summary="An import's progress and report")
    def get(self, request, pk):
        return Response(ImportJobSerializer(queries.job_for_user(request.user, pk)).data)


class StatsExport(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("layout", str, enum=list(FORMATS), required=True,
                             description="`format` is taken by content negotiation"),
            OpenApiParameter("personal", bool, description="HTCDS only; supervisors with a "
                             "token or a session re-authenticated in the last 5 minutes; audited")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Export HTCDS (own cases) or CTDC (de-identified records) as CSV or XLSX")
    def get(self, request, org_pk):
        from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate

        org = queries.stats_org_for_user(request.user, org_pk)
        fmt = request.query_params.get("layout", "")
        if fmt not in FORMATS:
            return Response({"layout": [f"Choose one of {', '.join(FORMATS)}."]},
                            status=status.HTTP_400_BAD_REQUEST)
        personal = request.query_params.get("personal") in ("1", "true")
        if personal and request.auth is None and not did_recently_reauthenticate(request._request):
            raise ApiPermissionDenied("Re-authenticate (or use an API token) before exporting "
                                      "personal data.")
        try:
            content, ctype, filename = export_file(user=request.user, org=org, fmt=fmt,
                                                   personal=personal, screen="api-stats-export")
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        response = HttpResponse(content, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
