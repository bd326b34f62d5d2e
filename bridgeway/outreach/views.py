"""Outreach screens: thin (form → service → message → redirect)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from bridgeway.core.forms import add_validation_error
from bridgeway.core.shortcuts import submit
from bridgeway.orgs.codes import country_name, language_name
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import organisations_visible_to
from bridgeway.outreach import network as network_view
from bridgeway.outreach import queries, services
from bridgeway.outreach.codes import (
    ActivityKind,
    Basis,
    Condition,
    InstitutionType,
    Kind,
    Outcome,
    TargetGroup,
    TrainingStatus,
)
from bridgeway.outreach.forms import (
    AccessForm,
    ActivityForm,
    FacilityEditForm,
    FacilityForm,
    IncidentForm,
    NetworkFilterForm,
    TrainingForm,
)

FORMS = {Kind.ACTIVITY: ActivityForm, Kind.ACCESS: AccessForm, Kind.TRAINING: TrainingForm}
NAMES = {Kind.ACTIVITY: "activity", Kind.ACCESS: "access", Kind.TRAINING: "training"}
HEADINGS = {Kind.ACTIVITY: (_lazy("Record an activity"), _lazy("Edit the activity")),
            Kind.ACCESS: (_lazy("Record a facility visit or access request"),
                          _lazy("Edit the access request")),
            Kind.TRAINING: (_lazy("Record a training for a state institution"),
                            _lazy("Edit the training"))}
CHOICES = {"kind": ActivityKind, "outcome": Outcome, "institution_type": InstitutionType,
           "status": TrainingStatus, "basis": Basis}
LIST_CHOICES = {"target_groups": TargetGroup, "conditions": Condition}
LIST_HEADINGS = {Kind.ACTIVITY: _lazy("Activities"),
                 Kind.ACCESS: _lazy("Facility visits and access requests"),
                 Kind.TRAINING: _lazy("Trainings for state institutions")}


def outbox_context(request) -> dict:
    """What the outbox script needs on a page: who is signed in (a draft is opened for its
    author only), where to send, the service worker, and its words."""
    return {"outbox": {
        "user": request.user.pk, "sync_url": reverse("api-outreach-sync"),
        "sw_url": reverse("outreach:service_worker"),
        "text": {
            "none": _("Nothing waits to be sent."),
            "waiting": _("%s record(s) wait on this device."),
            "failed": _("The record could not be kept on this device."),
            "discard": _("Discard"), "field": _("Field"), "mine": _("Your value"),
            "theirs": _("Saved meanwhile"), "keepMine": _("Keep mine"),
            "keepTheirs": _("Keep the saved value"),
            "kinds": {k: str(label) for k, label in Kind.choices},
            "states": {"pending": _("waiting to be sent"),
                       "conflict": _("changed meanwhile by someone else: choose"),
                       "refused": _("refused by the server")}}}}


def _orgs(request):
    orgs = queries.outreach_orgs(request.user)
    if not orgs:
        raise Http404
    return orgs


@login_required
def index(request):
    orgs = queries.outreach_orgs(request.user)
    if not orgs and not queries.managed_networks(request.user):
        raise Http404
    return render(request, "outreach/index.html", {
        "orgs": orgs,
        "activities": queries.activities_visible_to(request.user)[:5] if orgs else [],
        "requests": queries.access_requests_visible_to(request.user)[:5] if orgs else [],
        "trainings": queries.trainings_visible_to(request.user)[:5] if orgs else [],
        **(outbox_context(request) if orgs else {})})


def _list(request, kind):
    _orgs(request)
    qs = queries.records_visible_to(request.user, kind).select_related("organisation")
    if kind == Kind.ACCESS:
        qs = qs.select_related("facility")
    return render(request, "outreach/list.html", {"kind": kind, "name": NAMES[kind],
                                                  "records": qs[:200],
                                                  "heading": LIST_HEADINGS[kind]})


def _form(request, kind, data=None, initial=None, record=None):
    orgs = [record.organisation] if record else _orgs(request)
    kwargs = {"orgs": orgs}
    if kind == Kind.ACTIVITY:
        kwargs["partners"] = organisations_visible_to(request.user).filter(is_active=True) \
            .order_by("name")
    if kind == Kind.ACCESS:
        kwargs["facilities"] = queries.facilities_visible_to(request.user).filter(is_active=True)
    return FORMS[kind](data, initial=initial, **kwargs)


def _render_form(request, kind, form, record=None, status=200):
    return render(request, "outreach/record_form.html", {
        "form": form, "kind": kind, "name": NAMES[kind], "record": record,
        "heading": HEADINGS[kind][1 if record else 0],
        "sync_url": reverse("api-outreach-sync"),
        "list_url": reverse(f"outreach:{NAMES[kind]}_list"), **outbox_context(request)},
        status=status)


def _for_form(form, exc):
    """A service's error with its field names as the form's (see TrainingForm.renamed)."""
    if not hasattr(exc, "error_dict") or not form.renamed:
        return exc
    return ValidationError({form.renamed.get(k, k): v for k, v in exc.message_dict.items()})


def _new(request, kind):
    form = _form(request, kind, request.POST or None)
    if request.method != "POST":
        return _render_form(request, kind, form)
    created = {}

    def write(d):
        org = Organisation.objects.get(pk=d["organisation"])
        try:
            created["record"] = services.record_create(kind=kind, actor=request.user, org=org,
                                                       values=form.values())
        except ValidationError as exc:
            raise _for_form(form, exc) from None

    return submit(request, form, write, success=_("Saved."),
                  then=lambda: redirect(f"outreach:{NAMES[kind]}_detail", created["record"].pk),
                  rerender=lambda f: _render_form(request, kind, f), refusal_as_message=True)


def _edit(request, kind, pk):
    record = queries.record_for_user(request.user, kind, pk)
    current = services.values_of(record, kind)
    if request.method != "POST":
        form = _form(request, kind, initial={**current, "organisation": record.organisation_id,
                                             "version": record.version, "original": current},
                     record=record)
        return _render_form(request, kind, form, record)
    form = _form(request, kind, request.POST, record=record)
    if form.is_valid():
        original = form.cleaned_data.get("original") or {}
        try:
            services.record_edit(kind=kind, record=record, actor=request.user,
                                 values=services.edited_values(
                                     kind=kind, actor=request.user, values=form.values(),
                                     original=original),
                                 base_version=form.cleaned_data.get("version"),
                                 original=original)
        except services.EditConflict as exc:
            return _conflict(request, kind, record, form, exc, original)
        except ValidationError as exc:
            add_validation_error(form, exc, renamed=form.renamed)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"outreach:{NAMES[kind]}_detail", record.pk)
    return _render_form(request, kind, form, record)


def _conflict(request, kind, record, form, exc, original):
    """Both values of each field changed on both sides, and the form again: this person's
    values where they changed something, the values saved meanwhile elsewhere, and the record's
    new version. Whatever they choose, nothing typed is lost and nothing saved meanwhile is
    written over unseen."""
    labels = {name: f.label for name, f in form.fields.items()}
    rows = [{"field": name, "label": labels.get(name, name),
             "mine": _shown(name, c["mine"]), "theirs": _shown(name, c["theirs"])}
            for name, c in exc.conflicts.items()]
    record.refresh_from_db()
    current = services.values_of(record, kind)
    mine = services.edited_values(kind=kind, actor=request.user, values=form.values(),
                                  original=original)
    data = request.POST.copy()
    for name, value in current.items():
        if name in mine or name not in form.fields:
            continue
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = "" if value is None else str(value)
    data["version"] = str(exc.version)
    data["original"] = _json_dumps(current)
    again = _form(request, kind, data, record=record)
    again.is_valid()
    return render(request, "outreach/conflict.html", {
        "rows": rows, "form": again, "kind": kind, "name": NAMES[kind], "record": record},
        status=409)


def _json_dumps(values):
    import json

    return json.dumps(values, default=str)


def _shown(name, value):
    if name in CHOICES:
        try:
            return CHOICES[name](value).label
        except ValueError:
            return value
    if name in LIST_CHOICES:
        return ", ".join(str(LIST_CHOICES[name](v).label) for v in value or [])
    if name == "languages":
        return ", ".join(language_name(v) for v in value or [])
    if name == "country":
        return country_name(value) if value else ""
    if name == "facility":
        f = queries.Facility.objects.filter(pk=value).first()
        return f.name if f else value
    if name == "partners":
        return ", ".join(Organisation.objects.filter(pk__in=value or []).values_list("name",
                                                                                    flat=True))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{InstitutionType(k).label}: {v}" for k, v in value.items())
    return "" if value is None else value


def _detail(request, kind, pk):
    record = queries.record_for_user(request.user, kind, pk)
    form = _form(request, kind, record=record)
    values = services.values_of(record, kind)
    rows = [(form.fields[name].label if name in form.fields else name, _shown(name, value))
            for name, value in values.items() if name in form.fields]
    return render(request, "outreach/record_detail.html", {
        "record": record, "kind": kind, "name": NAMES[kind], "rows": rows,
        "may_report": services.may_become_incident(kind, record),
        "incident_url": reverse("civicspace:detail", args=[record.incident_id])
        if getattr(record, "incident_id", None) else ""})


def _incident(request, kind, pk):
    """Step two of "refusal → incident": the prefilled incident, one press to report it."""
    record = queries.record_for_user(request.user, kind, pk)
    networks = list(queries.networks_of_org(record.organisation))
    if not services.may_become_incident(kind, record) or not networks:
        messages.error(request, _("This record cannot become a civic-space incident (it is "
                                  "already one, it is not a refusal, or your organisation "
                                  "belongs to no network)."))
        return redirect(f"outreach:{NAMES[kind]}_detail", record.pk)
    form = IncidentForm(request.POST or None, networks=networks,
                        initial={**services.incident_prefill(kind, record),
                                 "network": networks[0].pk})
    if request.method == "POST":
        done = {}

        def write(d):
            network = next(n for n in networks if n.pk == d["network"])
            done["id"] = services.incident_from_record(
                kind=kind, record=record, actor=request.user, network=network,
                title=d["title"], description=d["description"], actors=d["actors"],
                started_on=d["started_on"], country=d["country"], region=d["region"],
                severity=d["severity"])

        return submit(request, form, write,
                      success=_("Reported as a civic-space incident, linked to this record."),
                      then=lambda: redirect("civicspace:detail", done["id"]),
                      rerender=lambda f: render(request, "outreach/incident_form.html",
                                                {"form": f, "record": record, "name": NAMES[kind]}),
                      refusal_as_message=True)
    return render(request, "outreach/incident_form.html",
                  {"form": form, "record": record, "name": NAMES[kind]})


def _per_kind(screen, kind):
    """The screen `screen` (_list, _new, _edit, _detail, _incident) of one kind of record, as
    the view its URL names: activity_new, access_detail, training_incident, ..."""

    def view(request, *args, **kwargs):
        return screen(request, kind, *args, **kwargs)

    view.__name__ = view.__qualname__ = f"{NAMES[kind]}{screen.__name__}"
    return login_required(view)


activity_list = _per_kind(_list, Kind.ACTIVITY)
access_list = _per_kind(_list, Kind.ACCESS)
training_list = _per_kind(_list, Kind.TRAINING)
activity_new = _per_kind(_new, Kind.ACTIVITY)
access_new = _per_kind(_new, Kind.ACCESS)
training_new = _per_kind(_new, Kind.TRAINING)
activity_edit = _per_kind(_edit, Kind.ACTIVITY)
access_edit = _per_kind(_edit, Kind.ACCESS)
training_edit = _per_kind(_edit, Kind.TRAINING)
activity_detail = _per_kind(_detail, Kind.ACTIVITY)
access_detail = _per_kind(_detail, Kind.ACCESS)
training_detail = _per_kind(_detail, Kind.TRAINING)
access_incident = _per_kind(_incident, Kind.ACCESS)
training_incident = _per_kind(_incident, Kind.TRAINING)


@login_required
def facilities(request):
    orgs = _orgs(request)
    networks = sorted({n.pk: n for o in orgs for n in queries.networks_of_org(o)}.values(),
                      key=lambda n: n.name)
    form = FacilityForm(request.POST or None, orgs=orgs, networks=networks)

    def write(d):
        org = next(o for o in orgs if o.pk == d["organisation"])
        services.facility_add(actor=request.user, org=org, data=services.FacilityData(
            name=d["name"], facility_type=d["facility_type"], country=d["country"],
            region=d["region"], authority=d["authority"], network_id=d["network"]))

    def page(f, status=200):
        return render(request, "outreach/facilities.html", {
            "form": f, "facilities": queries.facilities_visible_to(request.user)
            .select_related("network", "added_by_org"),
            "managed": set(queries.facilities_managed_by(request.user)
                           .values_list("pk", flat=True))}, status=status)

    if request.method == "POST":
        return submit(request, form, write, success=_("Facility added to the register."),
                      then=lambda: redirect("outreach:facilities"), rerender=page,
                      refusal_as_message=True)
    return page(form)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _network_scope(request, *, versions=False):
    """Who may see the network view and its export (404 for the rest), whose totals they add
    up, and the filter (this year unless another is asked for)."""
    networks = queries.managed_networks(request.user)
    if not networks and not queries.outreach_orgs(request.user):
        raise Http404
    scope = queries.network_scope(request.user, _int(request.GET.get("network")),
                                  versions=versions)
    form = NetworkFilterForm(request.GET or None, networks=networks,
                             initial={"year": timezone.localdate().year},
                             countries=queries.countries_of_work(scope.org_ids))
    return scope, form, (form.cleaned_data if form.is_valid() else {})


@login_required
def network(request):
    scope, form, d = _network_scope(request, versions=True)
    # One year at a time (this year unless another is asked for): its four quarters.
    view = network_view.cached_view(scope.org_ids, country=d.get("country") or "",
                                    year=d.get("year") or timezone.localdate().year,
                                    suppress=scope.network is not None, page=True,
                                    versions=scope.versions)
    return render(request, "outreach/network.html", {
        "form": form, "view": view, "network": scope.network, "query": request.GET.urlencode(),
        "today": timezone.localdate()})


@login_required
def network_export(request, fmt):
    scope, _form, d = _network_scope(request)
    # The export covers every year unless one is asked for (a file is read once, not paged).
    return network_view.export_response(scope.org_ids, fmt, country=d.get("country") or "",
                                        year=d.get("year"), suppress=scope.network is not None)


SW_VERSION = "1"


def service_worker(request):
    """The service worker, served under /outreach/ with the right to control the whole site
    (Service-Worker-Allowed: /): it needs that to answer "offline" for the other pages. The
    static URLs it keeps are rendered in, so hashed file names work."""
    import json

    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.templatetags.static import static

    shell = [static("bridgeway/app.css"), static("bridgeway/app.js"),
             static("django_htmx/htmx-2.min.js"), static("outreach/outbox.js"),
             reverse("outreach:index"), reverse("outreach:activity_new"),
             reverse("outreach:access_new"), reverse("outreach:training_new")]
    body = render_to_string("outreach/sw.js", {
        "version": SW_VERSION, "shell": json.dumps(shell),
        "offline_url": reverse("outreach:offline")})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def offline(request):
    """What the service worker shows for a page it cannot fetch."""
    return render(request, "outreach/offline.html")


@login_required
def facility_edit(request, pk):
    facility = queries.facility_to_manage(request.user, pk)
    fields = ("name", "facility_type", "country", "region", "authority")
    form = FacilityEditForm(request.POST or None,
                            initial={f: getattr(facility, f) for f in fields})

    def write(d):
        services.facility_edit(actor=request.user, facility=facility,
                               **{f: d[f] for f in fields})

    def page(f, status=200):
        return render(request, "outreach/facility_form.html",
                      {"form": f, "facility": facility}, status=status)

    if request.method == "POST":
        return submit(request, form, write, success=_("Facility updated."),
                      then=lambda: redirect("outreach:facilities"), rerender=page,
                      refusal_as_message=True)
    return page(form)


@login_required
@require_POST
def facility_active(request, pk):
    facility = queries.facility_to_manage(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.facility_set_active(actor=request.user, facility=facility, active=active)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("Facility reactivated.") if active
                         else _("Facility deactivated: it is no longer offered for new access "
                                "requests; its past requests stay."))
    return redirect("outreach:facilities")
