from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import reverse
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

from bridgeway.core.api_schema import ModelSerializer, file_response
from bridgeway.stats import queries, services
from bridgeway.stats.codes import DatasetKind
from bridgeway.stats.exporting import FORMATS, export_file
from bridgeway.stats.models import ExportJob, ImportJob, Release


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    problem = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    problem_count = serializers.IntegerField()
    problems = ProblemSerializer(many=True)
    notices = serializers.ListField(child=serializers.CharField())


class ImportJobSerializer(ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    report = serializers.SerializerMethodField()
    records = serializers.SerializerMethodField()
    interruption = serializers.ChoiceField(
        choices=ImportJob.Interruption.choices, allow_blank=True,
        read_only=True, help_text="Set when the background worker stopped under the job: "
        "`resumed` (started again from the beginning) or `failed` (nothing was imported); "
        "`error` when it stopped with an unexpected error.")
    message = serializers.CharField(source="interruption_message", read_only=True,
                                    help_text="What happened, in words, when `interruption` "
                                    "is set; empty otherwise.")

    class Meta:
        model = ImportJob
        fields = ["id", "organisation", "kind", "dry_run", "status", "rows_done", "rows_total",
                  "percent", "report", "dataset", "records", "interruption", "message",
                  "attempts", "created_at", "finished_at"]

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


class ExportJobSerializer(ModelSerializer):
    layout = serializers.ChoiceField(choices=list(FORMATS), read_only=True)
    percent = serializers.IntegerField(read_only=True)
    interruption = serializers.ChoiceField(
        choices=ExportJob.Interruption.choices, allow_blank=True,
        read_only=True, help_text="Set when the background worker stopped under the job: "
        "`resumed` (started again from the beginning) or `failed` (nothing was exported); "
        "`error` when it stopped with an unexpected error.")
    message = serializers.CharField(read_only=True, help_text="What went wrong, in words "
                                    "(an interruption, or a permission withdrawn meanwhile); "
                                    "empty otherwise.")
    url = serializers.SerializerMethodField(help_text="This job's own address: poll it")
    download = serializers.SerializerMethodField(
        help_text="Where to fetch the file once `status` is `done`; null before and after. "
                  "The file is deleted once downloaded, or when not downloaded within "
                  "BRIDGEWAY_EXPORT_KEEP_HOURS (then `status` is `gone`).")

    class Meta:
        model = ExportJob
        fields = ["id", "organisation", "layout", "personal", "status", "rows_done",
                  "rows_total", "percent", "interruption", "message", "attempts", "url",
                  "download", "created_at", "finished_at"]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, job) -> str:
        return self._absolute(reverse("api-stats-export-job", args=[job.pk]))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, job) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return self._absolute(reverse("api-stats-export-download", args=[job.pk]))


def _personal_allowed(request) -> None:
    from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate

    if request.auth is None and not did_recently_reauthenticate(request._request):
        raise ApiPermissionDenied("Re-authenticate (or use an API token) before exporting "
                                  "personal data.")


def _attachment(content: bytes, ctype: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


EXPORT_MEDIA = ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class StatsExport(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("layout", str, enum=list(FORMATS), required=True,
                             description="`format` is taken by content negotiation"),
            OpenApiParameter("personal", bool, description="HTCDS only; supervisors with a "
                             "token or a session re-authenticated in the last 5 minutes; audited")],
        responses={
            **file_response(*EXPORT_MEDIA, description="CSV or XLSX, as `layout` asks"),
            (202, "application/json"): ExportJobSerializer},
        summary="Export HTCDS (own cases) or CTDC (de-identified records) as CSV or XLSX; an "
                "export of more rows than BRIDGEWAY_STATS_INLINE_EXPORT_ROWS answers 202 with "
                "a background job to poll (its `url`), whose `download` link offers the file")
    def get(self, request, org_pk):
        org = queries.stats_org_for_user(request.user, org_pk)
        fmt = request.query_params.get("layout", "")
        if fmt not in FORMATS:
            return Response({"layout": [f"Choose one of {', '.join(FORMATS)}."]},
                            status=status.HTTP_400_BAD_REQUEST)
        personal = request.query_params.get("personal") in ("1", "true")
        if personal:
            _personal_allowed(request)
        try:
            if services.export_is_large(org, fmt):
                job = services.export_job_create(org=org, actor=request.user, fmt=fmt,
                                                 personal=personal, screen="api-stats-export")
                job = services.export_job_start(job)
                data = ExportJobSerializer(job, context={"request": request}).data
                return Response(data, status=status.HTTP_202_ACCEPTED,
                                headers={"Location": data["url"]})
            content, ctype, filename = export_file(user=request.user, org=org, fmt=fmt,
                                                   personal=personal, screen="api-stats-export")
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return _attachment(content, ctype, filename)


class ExportJobDetail(APIView):
    @extend_schema(responses=ExportJobSerializer,
                   summary="A large export's progress; `download` once it is ready (the person "
                           "who asked for it only)")
    def get(self, request, pk):
        job = queries.export_job_for_user(request.user, pk)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportJobDownload(APIView):
    @extend_schema(
        responses=file_response(*EXPORT_MEDIA, description="The export, once; then it is "
                                "deleted (404 after, or before it is ready)"),
        summary="Download a large export prepared in the background (the person who asked "
                "for it; permissions checked again)")
    def get(self, request, pk):
        job = queries.export_job_for_user(request.user, pk)
        if job.personal:
            _personal_allowed(request)
        try:
            content, ctype, filename = services.export_download(job=job, actor=request.user)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        return _attachment(content, ctype, filename)


# --- dashboards and safe release ----------------------------------------------------------------

class ChartSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                 help_text="[category, count]; a count below k is \"<k\" "
                                           "on a network's dashboard")


class DashboardSerializer(serializers.Serializer):
    total = serializers.CharField()
    k = serializers.IntegerField(help_text="0 for an organisation: nothing suppressed")
    rounded = serializers.IntegerField(
        help_text="0 for an organisation (exact counts); 5 for a network: every count shown, "
                  "totals included, is randomly rounded to a multiple of 5")
    pending = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Datasets still being counted by the worker, not in these figures yet")
    charts = ChartSerializer(many=True)


class DashboardData(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("year_from", int), OpenApiParameter("year_to", int),
                    OpenApiParameter("dataset", int, many=True)],
        responses={200: DashboardSerializer, 400: OpenApiTypes.OBJECT},
        summary="Dashboard aggregates of an organisation, or of a network across its members "
                "(small cells suppressed, counts rounded); a dataset outside the dashboard's "
                "scope is refused (400)")
    def get(self, request, org_pk):
        from bridgeway.stats import dashboard
        from bridgeway.stats.disclosure import BASE

        org = queries.stats_org_for_user(request.user, org_pk)
        try:
            filters = dashboard.filters_from(request.query_params, org)
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        data = dashboard.dashboard(org, user=request.user, **filters)
        return Response({
            "total": str(data["total"]), "k": data["k"], "rounded": BASE if data["k"] else 0,
            "pending": [d.pk for d in data["pending"]], "charts": [
            {"id": c["id"], "title": c["title"], "unit": c["unit"],
             "rows": [[str(label), str(n)] for label, n in c["rows"]]} for c in data["charts"]]})


class ReleaseSerializer(ModelSerializer):
    class Meta:
        model = Release
        fields = ["id", "organisation", "dataset", "title", "kind", "dimensions", "k", "epsilon",
                  "generalisations", "suppressed", "result", "status", "created_at",
                  "created_by", "approved_by", "approved_at", "published_at"]
        read_only_fields = fields


class ReleaseCreateSerializer(serializers.Serializer):
    dataset = serializers.IntegerField()
    title = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Release.Kind.choices)
    dimensions = serializers.ListField(child=serializers.CharField())
    k = serializers.IntegerField(default=11)
    epsilon = serializers.FloatField(required=False, allow_null=True)


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}


class ReleaseList(APIView):
    @extend_schema(responses=ReleaseSerializer(many=True), summary="An organisation's releases")
    def get(self, request, org_pk):
        org = queries.stats_org_for_user(request.user, org_pk)
        return Response(ReleaseSerializer(queries.releases_of(org), many=True).data)

    @extend_schema(request=ReleaseCreateSerializer, responses={201: ReleaseSerializer},
                   summary="Build a draft release (k-anonymous cross-tab or extract, or DP "
                           "counts spending ε from the dataset's budget)")
    def post(self, request, org_pk):
        org = queries.stats_org_for_user(request.user, org_pk)
        incoming = ReleaseCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            release = services.release_create(
                org=org, actor=request.user,
                dataset=queries.dataset_for_org(org, data["dataset"]), kind=data["kind"],
                title=data["title"], dimensions=data["dimensions"], k=data["k"],
                epsilon=data.get("epsilon"))
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)


class ReleaseDetail(APIView):
    @extend_schema(responses=ReleaseSerializer, summary="A release")
    def get(self, request, pk):
        return Response(ReleaseSerializer(queries.release_for_user(request.user, pk)).data)


class _ReleaseStep(APIView):
    step = staticmethod(services.release_approve)

    @extend_schema(request=None, responses=ReleaseSerializer)
    def post(self, request, pk):
        release = queries.release_for_user(request.user, pk)
        try:
            release = type(self).step(release=release, actor=request.user)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(ReleaseSerializer(release).data)


class ReleaseApprove(_ReleaseStep):
    step = staticmethod(services.release_approve)


class ReleasePublish(_ReleaseStep):
    step = staticmethod(services.release_publish)


class BudgetEntrySerializer(serializers.Serializer):
    epsilon = serializers.FloatField()
    spent_by = serializers.IntegerField(source="spent_by_id")
    purpose = serializers.CharField()
    release = serializers.IntegerField(source="release_id", allow_null=True)
    spent_at = serializers.DateTimeField()


class BudgetSerializer(serializers.Serializer):
    dataset = serializers.IntegerField()
    total_epsilon = serializers.FloatField()
    spent_epsilon = serializers.FloatField()
    entries = BudgetEntrySerializer(many=True)


class DatasetBudget(APIView):
    def _out(self, dataset):
        budget = queries.budget_of(dataset)
        return {"dataset": dataset.pk, "total_epsilon": budget.total_epsilon,
                "spent_epsilon": queries.budget_spent(budget),
                "entries": BudgetEntrySerializer(budget.entries.all(), many=True).data}

    @extend_schema(responses=BudgetSerializer, summary="A dataset's privacy budget and ledger")
    def get(self, request, org_pk, pk):
        org = queries.stats_org_for_user(request.user, org_pk)
        return Response(self._out(queries.dataset_for_org(org, pk)))

    @extend_schema(request=inline_serializer("StatsBudgetSet", {
        "total_epsilon": serializers.FloatField()}), responses=BudgetSerializer,
        summary="Set a dataset's total ε (the dataset owner's supervisors and administrators)")
    def put(self, request, org_pk, pk):
        org = queries.stats_org_for_user(request.user, org_pk)
        dataset = queries.dataset_for_org(org, pk)
        try:
            total = float(request.data.get("total_epsilon"))
        except (TypeError, ValueError):
            return Response({"total_epsilon": ["Give a number."]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            services.budget_set(dataset=dataset, actor=request.user, total_epsilon=total)
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(self._out(dataset))
