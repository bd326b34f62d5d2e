from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from bridgeway.core.forms import add_validation_error
from bridgeway.estimation import queries, report, services
from bridgeway.estimation.forms import (
    EncodingsUploadForm,
    EstimateForm,
    OffPlatformUploadForm,
    PairDecisionForm,
    ParticipationForm,
    RunForm,
    SettingsForm,
)
from bridgeway.orgs.queries import networks_of


def _poll(request, work):
    """htmx asks every 2 s: the bar while the task runs, a full reload once it has finished."""
    if work.finished:
        return HttpResponseClientRefresh()
    return render(request, "estimation/_progress.html", {"work": work})


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def home(request):
    user = request.user
    if not queries.has_estimation(user):
        raise Http404
    participations = [(org, net) for org in queries.participant_orgs(user)
                      for net in networks_of(org)]
    return render(request, "estimation/home.html", {
        "networks": queries.run_reader_networks(user),
        "estimate_orgs": queries.estimate_orgs(user),
        "participations": participations,
        "dedupe_orgs": queries.dedupe_orgs(user)})


# --- the coordinator's network page -------------------------------------------------------------

def _network_context(request, network, **extra):
    coordinator = queries.is_coordinator_of(request.user, network)
    ctx = {"network": network, "coordinator": coordinator,
           "settings_row": queries.linkage_settings(network),
           "runs": queries.runs_of(network)[:20]}
    if coordinator:
        ctx.update({"members": queries.member_rows(network),
                    "offplatform": queries.offplatform_lists(network),
                    "run_form": extra.pop("run_form", RunForm()),
                    "upload_form": extra.pop("upload_form", OffPlatformUploadForm()),
                    "settings_form": SettingsForm(initial={
                        "share_matches": ctx["settings_row"].share_matches})})
    ctx.update(extra)
    return ctx


@login_required
def network(request, pk):
    network = queries.network_for_reader(request.user, pk)
    return render(request, "estimation/network.html", _network_context(request, network))


@login_required
@require_POST
def run_start(request, pk):
    network = queries.network_for_coordinator(request.user, pk)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.run_start(network=network, actor=request.user,
                                     threshold=form.cleaned_data["threshold"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return redirect("estimation:run", run.pk)
    return render(request, "estimation/network.html",
                  _network_context(request, network, run_form=form), status=400)


@login_required
@require_POST
def offplatform_upload(request, pk):
    network = queries.network_for_coordinator(request.user, pk)
    form = OffPlatformUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            enc = services.encodings_upload(network=network, actor=request.user,
                                            upload=form.cleaned_data["file"],
                                            list_name=form.cleaned_data["list_name"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("%(n)d encodings added for the list %(name)s.")
                             % {"n": enc.count, "name": enc.list_name})
            return redirect("estimation:network", network.pk)
    return render(request, "estimation/network.html",
                  _network_context(request, network, upload_form=form), status=400)


@login_required
@require_POST
def network_settings(request, pk):
    network = queries.network_for_coordinator(request.user, pk)
    form = SettingsForm(request.POST)
    form.is_valid()
    services.linkage_settings_set(network=network, actor=request.user,
                                  share_matches=form.cleaned_data.get("share_matches", False))
    messages.success(request, _("Linkage settings saved."))
    return redirect("estimation:network", network.pk)


@login_required
@require_POST
def secret_reset(request, pk):
    network = queries.network_for_coordinator(request.user, pk)
    count = services.linkage_secret_reset(network=network, actor=request.user)
    messages.success(request, _("The old secret is gone. %(n)d organisation(s) must enter the new "
                                "secret and encode their persons again.") % {"n": count})
    return redirect("estimation:network", network.pk)


@login_required
def run_detail(request, pk):
    run = queries.run_for_user(request.user, pk)
    if request.htmx:
        return _poll(request, run)
    table = {"lists": run.lists, "rows": run.histories}
    return render(request, "estimation/run.html", {
        "run": run, "work": run, "network": run.network,
        "lists": report.list_sizes(table) if run.histories else run.lists,
        "observed": report.observed(table), "overlaps": report.overlaps(table),
        "may_estimate": any(o.pk == run.network_id for o in queries.estimate_orgs(request.user))})


# --- a member organisation's participation -----------------------------------------------------

def _participation_context(request, org, network, **extra):
    ctx = {"org": org, "network": network,
           "participation": queries.participation_of(network, org),
           "form": extra.pop("form", None) or ParticipationForm(
               initial={"enabled": queries.participation_of(network, org).enabled}),
           "upload_form": extra.pop("upload_form", None) or EncodingsUploadForm(),
           "jobs": queries.encoding_jobs_of(network, org)[:5],
           "known": queries.known_elsewhere(network, org)}
    ctx.update(extra)
    return ctx


def _participant(request, org_pk, network_pk):
    org = queries.participant_org_for_user(request.user, org_pk)
    return org, queries.member_network_for(org, network_pk)


@login_required
def participation(request, org_pk, network_pk):
    org, network = _participant(request, org_pk, network_pk)
    if request.method != "POST":
        return render(request, "estimation/participation.html",
                      _participation_context(request, org, network))
    form = ParticipationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.participation_set(network=network, org=org, actor=request.user,
                                       enabled=form.cleaned_data["enabled"],
                                       secret=form.cleaned_data["secret_bytes"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Participation saved."))
            return redirect("estimation:participation", org.pk, network.pk)
    return render(request, "estimation/participation.html",
                  _participation_context(request, org, network, form=form), status=400)


@login_required
@require_POST
def encodings_compute(request, org_pk, network_pk):
    org, network = _participant(request, org_pk, network_pk)
    try:
        job = services.encoding_job_create(network=network, org=org, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("estimation:participation", org.pk, network.pk)
    return redirect("estimation:encoding_job", job.pk)


@login_required
@require_POST
def encodings_upload(request, org_pk, network_pk):
    org, network = _participant(request, org_pk, network_pk)
    form = EncodingsUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            enc = services.encodings_upload(network=network, actor=request.user,
                                            upload=form.cleaned_data["file"], organisation=org)
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("%(n)d encodings added.") % {"n": enc.count})
            return redirect("estimation:participation", org.pk, network.pk)
    return render(request, "estimation/participation.html",
                  _participation_context(request, org, network, upload_form=form), status=400)


@login_required
def encoding_job(request, pk):
    job = queries.encoding_job_for_user(request.user, pk)
    if request.htmx:
        return _poll(request, job)
    return render(request, "estimation/encoding_job.html", {"work": job, "job": job, "org": job.organisation,
                                      "network": job.network})


# --- estimates -------------------------------------------------------------------------------

def _estimate_form(org, data=None, files=None, initial=None):
    return EstimateForm(data, files, runs=list(queries.finished_runs_for(org)[:50]),
                        initial=initial)


@login_required
def estimates(request, org_pk):
    org = queries.estimate_org_for_user(request.user, org_pk)
    initial = {}
    if request.GET.get("run"):
        initial["run"] = request.GET["run"]
    form = _estimate_form(org, initial=initial)
    status = 200
    if request.method == "POST":
        form = _estimate_form(org, request.POST, request.FILES)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            run = None
            if data.get("run"):
                run = queries.finished_runs_for(org).filter(pk=data["run"]).first()
            try:
                estimate = services.estimate_create(
                    org=org, actor=request.user, title=data["title"], run=run,
                    upload=data.get("file"), method=data["method"], pthresh=data["pthresh"],
                    bootstrap=data["bootstrap"], list_definitions=data["list_definitions"])
            except ValidationError as exc:
                add_validation_error(form, exc, {"source": "file" if "file" in form.fields
                                                 else None})
            else:
                return redirect("estimation:estimate", estimate.pk)
    return render(request, "estimation/estimates.html", {
        "org": org, "form": form, "estimates": queries.estimates_of(org)[:50]}, status=status)


@login_required
def estimate_detail(request, pk):
    estimate = queries.estimate_for_user(request.user, pk)
    if request.htmx:
        return _poll(request, estimate)
    table = estimate.table
    return render(request, "estimation/estimate.html", {
        "estimate": estimate, "work": estimate, "org": estimate.organisation,
        "result": estimate.result or {}, "lists": report.list_sizes(table),
        "observed": report.observed(table), "overlaps": report.overlaps(table),
        "warnings": report.warnings(table)})


@login_required
@require_POST
def estimate_release(request, pk, step):
    estimate = queries.estimate_for_user(request.user, pk)
    action = {"approve": services.estimate_approve, "publish": services.estimate_publish}.get(step)
    if action is None:
        raise Http404
    try:
        action(estimate=estimate, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Estimate approved.") if step == "approve"
                         else _("Estimate published."))
    return redirect("estimation:estimate", estimate.pk)


# --- duplicates within one organisation --------------------------------------------------------

@login_required
def dedupe(request, org_pk):
    org = queries.dedupe_org_for_user(request.user, org_pk)
    if request.method == "POST":
        run = services.dedupe_start(org=org, actor=request.user)
        return redirect("estimation:dedupe_run", run.pk)
    return render(request, "estimation/dedupe.html", {
        "org": org, "runs": queries.dedupe_runs_of(org)[:20]})


@login_required
def dedupe_run(request, pk):
    run = queries.dedupe_run_for_user(request.user, pk)
    if request.htmx:
        return _poll(request, run)
    pairs = list(queries.pairs_of(run)[:100])
    return render(request, "estimation/dedupe_run.html", {
        "run": run, "work": run, "org": run.organisation, "pairs": pairs})


@login_required
def pair(request, pk):
    pair = queries.pair_for_user(request.user, pk)
    if request.method == "POST":
        form = PairDecisionForm(request.POST)
        if form.is_valid():
            services.pair_decide(pair=pair, actor=request.user,
                                 decision=form.cleaned_data["decision"])
            messages.success(request, _("Decision recorded."))
            return redirect("estimation:dedupe_run", pair.run_id)
        messages.error(request, _("Say whether these are the same person or not."))
    return render(request, "estimation/pair.html", {
        "pair": pair, "org": pair.run.organisation, "people": queries.pair_details(pair),
        "why": report.explanation_rows(pair.explanation)})


@login_required
@require_POST
def pair_merge(request, pk):
    pair = queries.pair_for_user(request.user, pk)
    try:
        kept = services.pair_merge(pair=pair, actor=request.user,
                                   keep=request.POST.get("keep", ""))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The cases were merged into %(ref)s.")
                         % {"ref": kept.reference})
        return redirect("cases:detail", kept.pk)
    return redirect("estimation:pair", pair.pk)
