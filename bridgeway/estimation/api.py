"""REST API of the estimation app: encodings upload, linkage runs with their capture histories,
and estimates, with the same permissions as the screens (outsiders get 404). Answers hold counts,
list labels and patterns, never a name or a record id."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bridgeway.estimation import queries, report, services
from bridgeway.estimation.models import EncodingSet, Estimate, LinkageRun


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


class WorkFields(serializers.Serializer):
    """What every background task answers: status, progress and, if it failed or its worker
    stopped, why (`interruption`: "", "resumed", "failed" or "error"; `message`: what to do)."""

    progress = serializers.IntegerField(read_only=True, help_text="Percent done")
    rows_done = serializers.IntegerField(read_only=True)
    rows_total = serializers.IntegerField(read_only=True)
    message = serializers.CharField(read_only=True)


class EncodingSetSerializer(serializers.ModelSerializer):
    list = serializers.SerializerMethodField()

    class Meta:
        model = EncodingSet
        fields = ["id", "organisation", "list", "source", "fingerprint", "count", "created_at"]

    def get_list(self, enc) -> str:
        return queries.list_label(enc)


class ListSerializer(serializers.Serializer):
    letter = serializers.CharField()
    label = serializers.CharField()
    size = serializers.IntegerField(required=False)


class HistorySerializer(serializers.Serializer):
    pattern = serializers.CharField(help_text="One character per list, in list order: 1 = in it")
    count = serializers.IntegerField()


class CaptureHistorySerializer(serializers.Serializer):
    lists = ListSerializer(many=True)
    rows = HistorySerializer(many=True)


class LinkageRunSerializer(WorkFields, serializers.ModelSerializer):
    lists = ListSerializer(many=True)
    histories = HistorySerializer(many=True)

    class Meta:
        model = LinkageRun
        fields = ["id", "network", "status", "progress", "rows_done", "rows_total",
                  "error", "interruption", "message", "threshold", "lists",
                  "histories", "clusters_across", "created_at", "finished_at"]


class EstimateSerializer(WorkFields, serializers.ModelSerializer):
    table = CaptureHistorySerializer()
    result = serializers.JSONField(help_text="total, unobserved, ci95 [low, high], terms, exists, "
                                             "reason, models: as `manage.py mse_estimate --json`")
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Estimate
        fields = ["id", "organisation", "title", "run", "method", "pthresh", "bootstrap",
                  "list_definitions", "status", "progress", "rows_done", "rows_total", "error",
                  "interruption", "message", "table", "result",
                  "warnings", "release", "created_by", "approved_by", "approved_at",
                  "published_at", "created_at", "finished_at"]

    def get_warnings(self, estimate) -> list[str]:
        return report.warnings(estimate.table)


class EncodingsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=EncodingSetSerializer(many=True),
                   summary="The newest encodings of each list of the network: counts and "
                           "fingerprints only (network coordinators)")
    def get(self, request, network_pk):
        network = queries.network_for_coordinator(request.user, network_pk)
        return Response(EncodingSetSerializer(queries.latest_encodings(network), many=True).data)

    @extend_schema(
        request=inline_serializer("EncodingsUpload", {
            "file": serializers.FileField(help_text="The standalone encoder's CSV"),
            "organisation": serializers.IntegerField(
                required=False, help_text="A member organisation uploading its own list (its "
                                          "supervisors and administrators)"),
            "list_name": serializers.CharField(
                required=False, help_text="A coordinator uploading the list of an organisation "
                                          "not on the platform")}),
        responses={201: EncodingSetSerializer},
        summary="Upload an encodings file; refused whole (with the line) when broken or made "
                "with another secret or schema")
    def post(self, request, network_pk):
        uploaded = request.FILES.get("file")
        org_pk = request.data.get("organisation")
        if org_pk:
            org = queries.participant_org_for_user(request.user, org_pk)
            network = queries.member_network_for(org, network_pk)
        else:
            org = None
            network = queries.network_for_coordinator(request.user, network_pk)
        if uploaded is None:
            return Response({"file": ["Attach the encodings file as `file`."]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            enc = services.encodings_upload(network=network, actor=request.user, upload=uploaded,
                                            organisation=org,
                                            list_name=request.data.get("list_name", ""))
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(EncodingSetSerializer(enc).data, status=status.HTTP_201_CREATED)


class LinkageRunList(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(responses=LinkageRunSerializer(many=True),
                   summary="The network's linkage runs (coordinators and researchers)")
    def get(self, request, network_pk):
        network = queries.network_for_reader(request.user, network_pk)
        return Response(LinkageRunSerializer(queries.runs_of(network)[:100], many=True).data)

    @extend_schema(
        request=inline_serializer("LinkageRunStart", {
            "threshold": serializers.FloatField(required=False, min_value=0.5, max_value=1.0)}),
        responses={202: LinkageRunSerializer},
        summary="Start a linkage run over the newest encodings of every list (coordinators)")
    def post(self, request, network_pk):
        network = queries.network_for_coordinator(request.user, network_pk)
        threshold = request.data.get("threshold")
        if threshold in (None, ""):
            threshold = None
        else:
            try:
                threshold = float(threshold)
            except (TypeError, ValueError):
                return Response({"threshold": ["Give a number between 0.5 and 1."]},
                                status=status.HTTP_400_BAD_REQUEST)
        try:
            run = services.run_start(network=network, actor=request.user, threshold=threshold)
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        run.refresh_from_db()
        return Response(LinkageRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class LinkageRunDetail(APIView):
    @extend_schema(responses=LinkageRunSerializer,
                   summary="A linkage run: status, progress and, once done, its capture "
                           "histories")
    def get(self, request, pk):
        return Response(LinkageRunSerializer(queries.run_for_user(request.user, pk)).data)


class CaptureHistories(APIView):
    @extend_schema(responses=CaptureHistorySerializer,
                   summary="A finished run's capture-history table (counts per pattern of lists)")
    def get(self, request, pk):
        run = queries.run_for_user(request.user, pk)
        if run.status != "done":
            raise Http404
        table = {"lists": run.lists, "rows": run.histories}
        return Response({"lists": report.list_sizes(table), "rows": run.histories})


class EstimateList(APIView):
    parser_classes = [MultiPartParser, JSONParser, FormParser]

    @extend_schema(responses=EstimateSerializer(many=True),
                   summary="Estimates of an organisation (network coordinators, researchers)")
    def get(self, request, org_pk):
        org = queries.estimate_org_for_user(request.user, org_pk)
        return Response(EstimateSerializer(queries.estimates_of(org)[:100], many=True).data)

    @extend_schema(
        request=inline_serializer("EstimateCreate", {
            "title": serializers.CharField(max_length=120),
            "run": serializers.IntegerField(required=False,
                                            help_text="A finished linkage run of this network"),
            "file": serializers.FileField(required=False,
                                          help_text="Or a capture-history CSV: one 0/1 column "
                                                    "per list and a count column"),
            "method": serializers.ChoiceField(choices=Estimate.Method.choices, required=False),
            "pthresh": serializers.FloatField(required=False, default=0.02),
            "bootstrap": serializers.IntegerField(required=False, default=1000),
            "list_definitions": serializers.CharField(required=False, max_length=2000)}),
        responses={202: EstimateSerializer},
        summary="Run an estimate in the background")
    def post(self, request, org_pk):
        org = queries.estimate_org_for_user(request.user, org_pk)
        data = request.data
        run = None
        if data.get("run") not in (None, ""):
            run = queries.finished_runs_for(org).filter(pk=str(data["run"])).first() \
                if str(data["run"]).isdigit() else None
            if run is None:
                return Response({"run": ["Choose a finished linkage run of this network."]},
                                status=status.HTTP_400_BAD_REQUEST)
        try:
            pthresh = float(data.get("pthresh", 0.02))
            bootstrap = int(data.get("bootstrap", 1000))
        except (TypeError, ValueError):
            return Response({"pthresh": ["pthresh is a number, bootstrap a whole number."]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            estimate = services.estimate_create(
                org=org, actor=request.user, title=data.get("title", ""), run=run,
                upload=request.FILES.get("file"), method=data.get("method", "stepwise"),
                pthresh=pthresh, bootstrap=bootstrap,
                list_definitions=data.get("list_definitions", ""))
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        estimate.refresh_from_db()
        return Response(EstimateSerializer(estimate).data, status=status.HTTP_202_ACCEPTED)


class EstimateDetail(APIView):
    @extend_schema(responses=EstimateSerializer, summary="An estimate: progress, then the result")
    def get(self, request, pk):
        return Response(EstimateSerializer(queries.estimate_for_user(request.user, pk)).data)


class _EstimateStep(APIView):
    step = staticmethod(services.estimate_approve)

    @extend_schema(request=None, responses=EstimateSerializer)
    def post(self, request, pk):
        estimate = queries.estimate_for_user(request.user, pk)
        try:
            estimate = self.step(estimate=estimate, actor=request.user)
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(EstimateSerializer(estimate).data)


class EstimateApprove(_EstimateStep):
    """A second person (not the one who ran it) approves the estimate."""

    step = staticmethod(services.estimate_approve)


class EstimatePublish(_EstimateStep):
    """An approved estimate is published."""

    step = staticmethod(services.estimate_publish)


class PairMerge(APIView):
    """A supervisor merges a confirmed duplicate pair's cases: `keep` ("a" or "b") is kept, the
    other is closed as merged into it. Answers with references only."""

    @extend_schema(
        request=inline_serializer("PairMergeRequest", {"keep": serializers.ChoiceField(
            choices=["a", "b"])}),
        responses=inline_serializer("PairMergeResult", {
            "kept": serializers.UUIDField(), "kept_reference": serializers.CharField(),
            "merged": serializers.UUIDField()}),
        summary="Merge the two cases of a confirmed duplicate pair")
    def post(self, request, pk):
        pair = queries.pair_for_user(request.user, pk)
        try:
            kept = services.pair_merge(pair=pair, actor=request.user,
                                       keep=str(request.data.get("keep", "")))
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from None
        except ValidationError as exc:
            return Response(_errors(exc), status=status.HTTP_400_BAD_REQUEST)
        merged = pair.case_b_id if kept.pk == pair.case_a_id else pair.case_a_id
        return Response({"kept": kept.pk, "kept_reference": kept.reference, "merged": merged})
