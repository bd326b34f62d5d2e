from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgeway.civicspace import queries, services
from bridgeway.civicspace.charts import charts_for
from bridgeway.civicspace.codes import Status
from bridgeway.civicspace.exports import export_response
from bridgeway.civicspace.forms import (
    AssessmentForm,
    ConsultationForm,
    FilterForm,
    IncidentForm,
    ParticipationForm,
    TransitionForm,
)
from bridgeway.civicspace.models import CountryAssessment, Participation
from bridgeway.core.forms import add_validation_error
from bridgeway.orgs.codes import country_name, is_country
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import organisations_visible_to


def _filtered(request, qs):
    form = FilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        qs = queries.filter_incidents(qs, country=d["country"], status=d["status"],
                                      family=d["family"], actor=d["actor"], since=d["since"],
                                      until=d["until"])
    return form, qs


@login_required
def incident_list(request):
    form, qs = _filtered(request, queries.incidents_visible_to(request.user))
    page = Paginator(qs.select_related("reporting_org", "network"), 50).get_page(
        request.GET.get("page"))
    return render(request, "civicspace/list.html", {
        "form": form, "page": page, "can_report": bool(queries.member_orgs(request.user)),
        "can_review": bool(queries.managed_networks(request.user)),
        "query": request.GET.urlencode()})


@login_required
def export(request, fmt):
    _form, qs = _filtered(request, queries.incidents_visible_to(request.user))
    return export_response(qs, fmt, public=False)


def _incident_form(request, org, data=None, initial=None, network_id=None):
    networks = list(queries.networks_for_reporting(org)) if org else []
    if network_id and not any(n.pk == network_id for n in networks):
        networks.append(Organisation.objects.get(pk=network_id))
    chosen = network_id or (networks[0].pk if networks else None)
    if data is not None and data.get("network", "").isdigit():
        chosen = int(data["network"])
    return IncidentForm(data, initial=initial, networks=networks,
                        types=list(queries.types_for_network(chosen)),
                        organisations=organisations_visible_to(request.user).order_by("name"))


def _data_from(form) -> services.IncidentData:
    d = form.cleaned_data
    affected = []
    if d["affected_org"] or d["affected_description"]:
        affected.append(services.Affected(organisation_id=d["affected_org"],
                                          description=d["affected_description"],
                                          anonymous=d["affected_anonymous"]))
    sources = [services.SourceData(url=d["source_url"], title=d["source_title"],
                                   is_public=d["source_public"])] if d["source_url"] else []
    return services.IncidentData(
        title=d["title"], started_on=d["started_on"], ended_on=d["ended_on"],
        country=d["country"], region=d["region"], actors=d["actors"], type_ids=d["types"],
        description=d["description"], severity=d["severity"], visibility=d["visibility"],
        affected=affected, sources=sources)


@login_required
def report(request):
    orgs = queries.member_orgs(request.user)
    if not orgs:
        raise Http404
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    org = next((o for o in orgs if str(o.pk) == wanted), orgs[0])
    form = _incident_form(request, org, request.POST or None)
    if request.method == "POST" and form.is_valid():
        network = queries.networks_for_reporting(org).filter(
            pk=form.cleaned_data["network"]).first()
        try:
            if network is None:
                raise ValidationError({"network": [_("Choose one of your networks.")]})
            incident = services.incident_report(actor=request.user, reporting_org=org,
                                                network=network, data=_data_from(form))
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Incident reported. The network's coordinators will "
                                        "review it."))
            return redirect("civicspace:detail", incident.pk)
    return render(request, "civicspace/form.html", {"form": form, "org": org, "orgs": orgs,
                                                    "heading": _("Report an incident")},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def edit(request, pk):
    incident = queries.incident_for_user(request.user, pk)
    if not queries.can_edit(request.user, incident):
        raise PermissionDenied(_("You cannot edit this incident now."))
    affected = incident.affected.first()
    source = incident.sources.filter(document__isnull=True).first()
    initial = {
        "network": incident.network_id, "title": incident.title,
        "started_on": incident.started_on, "ended_on": incident.ended_on,
        "country": incident.country, "region": incident.region, "actors": incident.actors,
        "types": [t.pk for t in incident.types.all()], "description": incident.description,
        "severity": incident.severity, "visibility": incident.visibility,
        "affected_org": affected.organisation_id if affected else None,
        "affected_description": affected.description if affected else "",
        "affected_anonymous": affected.anonymous if affected else True,
        "source_url": source.url if source else "", "source_title": source.title if source else "",
        "source_public": source.is_public if source else False}
    form = _incident_form(request, incident.reporting_org, request.POST or None, initial=initial,
                          network_id=incident.network_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_edit(incident=incident, actor=request.user, data=_data_from(form))
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Incident saved."))
            return redirect("civicspace:detail", incident.pk)
    return render(request, "civicspace/form.html", {"form": form, "incident": incident,
                                                    "heading": _("Edit the incident")},
                  status=400 if form.is_bound and form.errors else 200)


def _detail(request, incident, form=None, status=200):
    return render(request, "civicspace/detail.html", {
        "incident": incident, "can_review": queries.can_review(request.user, incident),
        "can_edit": queries.can_edit(request.user, incident),
        "types": incident.types.all(), "affected": incident.affected.select_related("organisation"),
        "sources": incident.sources.filter(document__isnull=True),
        "documents": incident.documents.all()
        if services.may_read_documents(request.user, incident) else [],
        "may_upload": services.may_read_documents(request.user, incident),
        "versions": incident.versions.select_related("changed_by")[:50],
        "transition_form": form or TransitionForm(), "Status": Status}, status=status)


@login_required
def detail(request, pk):
    return _detail(request, queries.incident_for_user(request.user, pk))


@login_required
@require_POST
def transition(request, pk):
    incident = queries.incident_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.incident_transition(incident=incident, actor=request.user,
                                         to=form.cleaned_data["to"],
                                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_validation_error(form, exc)
            for msg in exc.messages:
                messages.error(request, msg)
            return _detail(request, incident, form, status=400)
        messages.success(request, _("Status changed."))
    return redirect("civicspace:detail", incident.pk)


@login_required
def review_queue(request):
    networks = queries.managed_networks(request.user)
    if not networks:
        raise Http404
    qs = queries.incidents_visible_to(request.user).filter(
        network__in=networks, status__in=[Status.REPORTED, Status.UNDER_REVIEW, Status.VERIFIED]
    ).select_related("reporting_org").order_by("created_at")
    return render(request, "civicspace/review.html", {"incidents": qs})


@login_required
def country(request, code):
    if not is_country(code):
        raise Http404
    incidents = queries.incidents_visible_to(request.user).filter(country=code).prefetch_related(
        "types")
    networks = queries.managed_networks(request.user)
    form = AssessmentForm(request.POST or None, networks=networks) if networks else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        network = next(n for n in networks if n.pk == d["network"])
        try:
            services.assessment_record(network=network, actor=request.user, country=code,
                                       period_start=d["period_start"], period_end=d["period_end"],
                                       rating=d["rating"], trend=d["trend"],
                                       justification=d["justification"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Assessment recorded."))
            return redirect("civicspace:country", code)
    return render(request, "civicspace/country.html", {
        **country_context(code, incidents, queries.user_networks(request.user)),
        "assessment_form": form, "public": False},
        status=400 if form is not None and form.is_bound and form.errors else 200)


def country_context(code, incidents, network_ids) -> dict:
    from bridgeway.civicspace.models import Consultation

    incidents = list(incidents.order_by("-started_on"))
    consultations = list(Consultation.objects.filter(country=code, network_id__in=network_ids)
                         .prefetch_related("participations"))
    return {
        "code": code, "country": country_name(code), "incidents": incidents,
        "charts": charts_for(incidents),
        "assessments": CountryAssessment.objects.filter(country=code, network_id__in=network_ids)
        .select_related("network").order_by("-period_start"),
        "consultations": consultations,
    }


@login_required
def consultations(request):
    networks = queries.managed_networks(request.user)
    form = ConsultationForm(request.POST or None, networks=networks) if networks else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        network = next(n for n in networks if n.pk == d["network"])
        try:
            c = services.consultation_add(network=network, actor=request.user, country=d["country"],
                                          title=d["title"], kind=d["kind"], stage=d["stage"],
                                          opened_on=d["opened_on"], closes_on=d["closes_on"],
                                          url=d["url"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Consultation added."))
            return redirect("civicspace:consultation", c.pk)
    return render(request, "civicspace/consultations.html", {
        "consultations": queries.consultations_visible_to(request.user).select_related("network"),
        "form": form}, status=400 if form is not None and form.is_bound and form.errors else 200)


def _participation_orgs(user, consultation):
    if queries.can_manage_network(user, consultation.network):
        return [m.member for m in consultation.network.network_members.select_related("member")]
    mine = {o.pk for o in queries.member_orgs(user)}
    return [m.member for m in consultation.network.network_members.select_related("member")
            if m.member_id in mine]


@login_required
def consultation(request, pk):
    c = queries.consultation_for_user(request.user, pk)
    orgs = _participation_orgs(request.user, c)
    form = ParticipationForm(request.POST or None, organisations=orgs) if orgs else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        org = next(o for o in orgs if o.pk == d["organisation"])
        try:
            services.participation_set(consultation=c, actor=request.user, organisation=org,
                                       invited=d["invited"], submitted=d["submitted"],
                                       method=d["method"], feedback=d["feedback"],
                                       evidence=d["evidence"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Participation recorded."))
            return redirect("civicspace:consultation", c.pk)
    mine = {o.pk for o in orgs}
    return render(request, "civicspace/consultation.html", {
        "c": c, "form": form, "mine": mine,
        "participations": c.participations.select_related("organisation", "incident")},
        status=400 if form is not None and form.is_bound and form.errors else 200)


@login_required
@require_POST
def exclusion_incident(request, pk):
    p = get_object_or_404(Participation.objects.select_related("consultation"), pk=pk)
    c = queries.consultation_for_user(request.user, p.consultation_id)
    try:
        incident = services.exclusion_to_incident(participation=p, actor=request.user)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect("civicspace:consultation", c.pk)
    messages.success(request, _("The exclusion is now a reported incident."))
    return redirect("civicspace:detail", incident.pk)


@login_required
@require_POST
def document_upload(request, pk):
    incident = queries.incident_for_user(request.user, pk)
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise ValidationError({"file": [_("Choose a file.")]})
        services.incident_document_upload(incident=incident, actor=request.user,
                                          uploaded=uploaded, title=request.POST.get("title", ""))
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("Document added, encrypted."))
    return redirect("civicspace:detail", incident.pk)


@login_required
def document_download(request, pk, document_id):
    from django.http import HttpResponse

    from bridgeway.civicspace.models import IncidentDocument

    incident = queries.incident_for_user(request.user, pk)
    if not services.may_read_documents(request.user, incident):
        raise Http404
    doc = get_object_or_404(IncidentDocument, pk=document_id, incident=incident)
    name, content = services.incident_document_open(doc)
    response = HttpResponse(content, content_type=doc.content_type)
    response["Content-Disposition"] = 'attachment; filename="{}"'.format(
        name.replace('"', "").replace("\n", " "))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
