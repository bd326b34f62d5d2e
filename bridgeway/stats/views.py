from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from bridgeway.core.forms import add_validation_error
from bridgeway.stats import dashboard, queries, services
from bridgeway.stats.exporting import export_file
from bridgeway.stats.forms import BudgetForm, ExportForm, ImportForm, ReleaseForm
from bridgeway.stats.release import (
    dimension_label,
    generalisation_sentences,
    protection_sentence,
    value_label,
)
from bridgeway.stats.uploads import ImportSizeLimit


def _org_url(name: str, org, **kwargs) -> str:
    return f"{reverse(name, kwargs=kwargs or None)}?{urlencode({'organisation': org.pk})}"


@login_required
def home(request):
    org, orgs = queries.stats_org_from_request(request)
    return render(request, "stats/home.html", {
        "org": org, "orgs": orgs, "datasets": queries.datasets_of(org)[:50],
        "jobs": queries.jobs_of(org)[:10]})


@login_required
@require_POST
def live_refresh(request):
    org, _orgs = queries.stats_org_from_request(request)
    try:
        dataset = services.live_refresh(org=org, actor=request.user)
        messages.success(request, _("Live cases copied to the statistics store: %(n)s "
                                    "record(s).") % {"n": dataset.rows})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_org_url("stats:home", org))


@csrf_exempt
@login_required
def import_upload(request):
    # The size limit must be in place before the body is read (CSRF reads it), hence the
    # exempt-then-protect pair Django documents for custom upload handlers.
    request.upload_handlers.insert(0, ImportSizeLimit(request))
    if request.method == "POST":
        request.POST  # noqa: B018 (parses the body, through the size limit)
        if getattr(request, "stats_upload_too_large", False):
            # An over-size body is not read, so neither is its CSRF token: without this answer
            # the person would see a CSRF failure instead of the size. Nothing is written.
            org, orgs = queries.stats_org_from_request(request)
            form = ImportForm.refused(request.POST, services.too_large_message())
            return render(request, "stats/import.html", {"org": org, "orgs": orgs,
                                                         "form": form}, status=413)
    return _import_upload(request)


@csrf_protect
def _import_upload(request):
    org, orgs = queries.stats_org_from_request(request)
    if request.method != "POST":
        return render(request, "stats/import.html", {"org": org, "orgs": orgs,
                                                     "form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = services.job_create(org=org, actor=request.user, upload=data["file"],
                                      kind=data["kind"], dry_run=data["dry_run"],
                                      label=data["label"])
        except ValidationError as exc:
            add_validation_error(form, exc, {"format": "kind"})
        else:
            services.job_start(job)
            return redirect("stats:job", job.pk)
    return render(request, "stats/import.html", {"org": org, "orgs": orgs, "form": form},
                  status=400)


@login_required
def job_detail(request, pk):
    job = queries.job_for_user(request.user, pk)
    template = "stats/_job_progress.html" if request.htmx else "stats/job.html"
    return render(request, template, {"job": job, "org": job.organisation,
                                      "report": job.report or {}})


@login_required
def export(request):
    from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate

    org, orgs = queries.stats_org_from_request(request)
    form = ExportForm(request.POST or None, network=org.is_network)
    ctx = {"org": org, "orgs": orgs, "form": form,
           "may_personal": queries.may_export_personal(request.user, org)}
    if request.method != "POST" or not form.is_valid():
        return render(request, "stats/export.html", ctx)
    fmt = form.cleaned_data["format"]
    personal = form.cleaned_data["include_personal"]
    if personal:
        if not fmt.startswith("htcds") or not ctx["may_personal"]:
            # At the checkbox when it is shown; above the form for those not offered it.
            form.add_error("include_personal" if ctx["may_personal"] else None,
                           _("Only supervisors can include personal data, and only in an HTCDS "
                             "export of their cases."))
            return render(request, "stats/export.html", ctx, status=403)
        if not did_recently_reauthenticate(request):
            messages.info(request, _("Confirm your identity, then ask for the export again."))
            back = _org_url("stats:export", org)
            return redirect(f"{reverse('account_reauthenticate')}?{urlencode({'next': back})}")
    try:
        if services.export_is_large(org, fmt):
            # Too many rows for a request: the worker builds it; its page offers the file.
            job = services.export_job_create(org=org, actor=request.user, fmt=fmt,
                                             personal=personal, screen="stats:export")
            services.export_job_start(job)
            return redirect("stats:export_job", job.pk)
        content, ctype, filename = export_file(user=request.user, org=org, fmt=fmt,
                                               personal=personal, screen="stats:export")
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return render(request, "stats/export.html", ctx, status=403)
    return file_download(content, ctype, filename)


def file_download(content: bytes, ctype: str, filename: str) -> HttpResponse:
    """An export as an attachment that no cache keeps."""
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_job(request, pk):
    job = queries.export_job_for_user(request.user, pk)
    template = "stats/_export_progress.html" if request.htmx else "stats/export_job.html"
    response = render(request, template, {"job": job, "org": job.organisation})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_job_download(request, pk):
    from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate

    job = queries.export_job_for_user(request.user, pk)
    if job.personal and not did_recently_reauthenticate(request):
        messages.info(request, _("Confirm your identity, then download the export."))
        back = reverse("stats:export_job", args=[job.pk])
        return redirect(f"{reverse('account_reauthenticate')}?{urlencode({'next': back})}")
    try:
        content, ctype, filename = services.export_download(job=job, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("stats:export_job", job.pk)
    return file_download(content, ctype, filename)


@login_required
def dashboard_view(request):
    org, orgs = queries.stats_org_from_request(request)
    ctx = {"org": org, "orgs": orgs,
           "datasets": dashboard.scope_datasets(org) if not org.is_network
           else queries.datasets_of(org)}
    try:
        filters = dashboard.filters_from(request.GET, org)
    except ValidationError as exc:
        # A filter that names nothing this dashboard counts: said, not silently dropped.
        return render(request, "stats/dashboard.html", {
            **ctx, "filter_errors": exc.messages, "data": None,
            "filters": {"year_from": None, "year_to": None, "dataset_ids": []}}, status=400)
    data = dashboard.dashboard(org, user=request.user, **filters)
    wanted = request.GET.get("csv")
    if wanted:
        for chart in data["charts"]:
            if chart["id"] == wanted:
                response = HttpResponse(dashboard.chart_csv(chart), content_type="text/csv")
                response["Content-Disposition"] = f'attachment; filename="{chart["id"]}.csv"'
                response["Cache-Control"] = "no-store"
                return response
        raise Http404
    query = request.GET.copy()
    for chart in data["charts"]:
        # An empty chart offers no download: its CSV would hold the header only.
        if chart["rows"]:
            query["csv"] = chart["id"]
            chart["csv_url"] = f"{reverse('stats:dashboard')}?{query.urlencode()}"
    return render(request, "stats/dashboard.html", {
        **ctx, "data": data, "filters": filters,
        "filtered": any(filters.values()),
        "years_reversed": bool(filters["year_from"] and filters["year_to"]
                               and filters["year_from"] > filters["year_to"])})


@login_required
def releases(request):
    org, orgs = queries.stats_org_from_request(request)
    datasets = list(queries.datasets_of(org))
    form = ReleaseForm(request.POST or None, datasets=datasets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = services.release_create(
                org=org, actor=request.user, dataset=queries.dataset_for_org(org, data["dataset"]),
                kind=data["kind"], title=data["title"], dimensions=data["dimensions"],
                k=data["k"] or 11, epsilon=data["epsilon"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Draft saved. A second person must approve it."))
            return redirect("stats:release", release.pk)
    budgets = [(d, queries.budget_of(d)) for d in datasets]
    return render(request, "stats/releases.html", {
        "org": org, "orgs": orgs, "form": form, "releases": queries.releases_of(org),
        "datasets": datasets, "ledger": queries.budget_ledger_of(org)[:200],
        "budgets": [(d, b, round(b.total_epsilon - queries.budget_spent(b), 6))
                    for d, b in budgets]},
        status=400 if request.method == "POST" else 200)


@login_required
def release_detail(request, pk):
    release = queries.release_for_user(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.release_approve(release=release, actor=request.user)
                messages.success(request, _("Approved."))
            elif action == "publish":
                services.release_publish(release=release, actor=request.user)
                messages.success(request, _("Published."))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
            return render(request, "stats/release.html", _release_ctx(release, request),
                          status=403 if isinstance(exc, PermissionDenied) else 400)
        return redirect("stats:release", release.pk)
    if request.GET.get("format") == "csv":
        response = HttpResponse(release_csv(release), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="release-{release.pk}.csv"'
        return response
    return render(request, "stats/release.html", _release_ctx(release, request))


def release_shown(release) -> dict:
    """A release as a reader sees it (the signed-in pages and the public page): the table with
    its columns in the reader's language, the method's protection and generalisation in
    sentences. The CSV keeps the codes."""
    table = release_table(release)
    result = release.result or {}
    named = {result.get("dimension"), *result.get("dimensions", [])} - {None}
    columns = list(table["header"])
    table = {"header": [dimension_label(h) if h in named else h for h in columns],
             "rows": [[value_label(columns[i], v) if i < len(columns) and columns[i] in named
                       else v for i, v in enumerate(row)] for row in table["rows"]]}
    return {"release": release, "table": table,
            "dimensions": [dimension_label(d) for d in release.dimensions],
            "steps": generalisation_sentences(release.generalisations or []),
            "protection": "" if release.kind == "dp_counts" else protection_sentence(
                release.kind, release.k, result.get("pycanon_k"), release.suppressed)}


def _release_ctx(release, request) -> dict:
    return {**release_shown(release), "org": release.organisation,
            "may_approve": release.created_by_id != request.user.pk}


def release_table(release) -> dict:
    result = release.result or {}
    if release.kind == "dp_counts":
        return {"header": [result.get("dimension", ""), _("Noisy count")],
                "rows": [list(p) for p in zip(result.get("categories", []),
                                              result.get("counts", []), strict=False)]}
    dims = result.get("dimensions", [])
    if release.kind == "crosstab":
        shown = f"<{release.k}"
        return {"header": [*dims, _("Victims")],
                "rows": [[*c["values"], c["count"] if c["count"] is not None else shown]
                         for c in result.get("cells", [])]}
    return {"header": dims, "rows": result.get("rows", [])}


def release_csv(release) -> str:
    import csv
    import io

    table = release_table(release)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table["header"])
    for row in table["rows"]:
        writer.writerow(["'" + str(v) if str(v)[:1] in "=+-@\t\r" else v for v in row])
    return buffer.getvalue()


@login_required
@require_POST
def budget(request, pk):
    org, _orgs = queries.stats_org_from_request(request)
    dataset = queries.dataset_for_org(org, pk)
    form = BudgetForm(request.POST)
    if form.is_valid():
        try:
            services.budget_set(dataset=dataset, actor=request.user,
                                total_epsilon=form.cleaned_data["total_epsilon"])
            messages.success(request, _("Privacy budget saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Enter a total ε above 0 and at most 10."))
    return redirect(_org_url("stats:releases", org))
