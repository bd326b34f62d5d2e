from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from bridgeway.stats import queries, services
from bridgeway.stats.exporting import export_file
from bridgeway.stats.forms import ExportForm, ImportForm
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
    return _import_upload(request)


@csrf_protect
def _import_upload(request):
    org, orgs = queries.stats_org_from_request(request)
    if request.method != "POST":
        return render(request, "stats/import.html", {"org": org, "orgs": orgs,
                                                     "form": ImportForm()})
    request.FILES  # noqa: B018 (parses the body, through the size limit)
    if getattr(request, "stats_upload_too_large", False):
        form = ImportForm(request.POST)
        form.add_error(None, services.too_large_message())
        return render(request, "stats/import.html", {"org": org, "orgs": orgs, "form": form},
                      status=413)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = services.job_create(org=org, actor=request.user, upload=data["file"],
                                      kind=data["kind"], dry_run=data["dry_run"],
                                      label=data["label"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
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
    form = ExportForm(request.POST or None)
    ctx = {"org": org, "orgs": orgs, "form": form,
           "may_personal": queries.may_export_personal(request.user, org)}
    if request.method != "POST" or not form.is_valid():
        return render(request, "stats/export.html", ctx)
    fmt = form.cleaned_data["format"]
    personal = form.cleaned_data["include_personal"]
    if personal:
        if not fmt.startswith("htcds") or not ctx["may_personal"]:
            form.add_error("include_personal", _("Only supervisors can include personal data, "
                                                 "and only in an HTCDS export of their cases."))
            return render(request, "stats/export.html", ctx, status=403)
        if not did_recently_reauthenticate(request):
            messages.info(request, _("Confirm your identity, then ask for the export again."))
            back = _org_url("stats:export", org)
            return redirect(f"{reverse('account_reauthenticate')}?{urlencode({'next': back})}")
    try:
        content, ctype, filename = export_file(user=request.user, org=org, fmt=fmt,
                                               personal=personal, screen="stats:export")
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return render(request, "stats/export.html", ctx, status=403)
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
