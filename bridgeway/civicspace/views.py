from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from bridgeway.civicspace import queries, services
from bridgeway.civicspace.charts import charts_for
from bridgeway.civicspace.codes import Family, Status
from bridgeway.civicspace.exports import export_response, refused_filters
from bridgeway.civicspace.forms import (
    AffectedFormSet,
    AssessmentForm,
    ConsultationForm,
    FilterForm,
    IncidentForm,
    ParticipationForm,
    RestrictionTypeForm,
    SourceFormSet,
    TransitionForm,
)
from bridgeway.civicspace.models import (
    Consultation,
    CountryAssessment,
    IncidentDocument,
    Participation,
    RestrictionType,
)
from bridgeway.civicspace.registry import country_charts, country_panels, incident_links
from bridgeway.core.forms import add_validation_error, refuse_bad_filters
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import country_name, is_country
from bridgeway.orgs.models import Organisation
from bridgeway.orgs.queries import organisations_visible_to


def _filtered(request, qs):
    form = FilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, qs.none()  # a filter that cannot be used is not silently dropped
    if form.is_bound:
        d = form.cleaned_data
        qs = queries.filter_incidents(qs, country=d["country"], status=d["status"],
                                      family=d["family"], actor=d["actor"], since=d["since"],
                                      until=d["until"])
    return form, qs


@login_required
def incident_list(request):
    form, qs = _filtered(request, queries.incidents_visible_to(request.user))
    refused = refuse_bad_filters(request, form)
    page = Paginator(qs.select_related("reporting_org", "network"), 50).get_page(
        request.GET.get("page"))
    return render(request, "civicspace/list.html", {
        "form": form, "page": page, "may_report": bool(queries.member_orgs(request.user)),
        "may_review": bool(queries.managed_networks(request.user)),
        "query": request.GET.urlencode()}, status=400 if refused else 200)


@login_required
def export(request, fmt):
    form, qs = _filtered(request, queries.incidents_visible_to(request.user))
    return refused_filters(form) or export_response(qs, fmt, public=False)


def _formset(cls, data, prefix, initial, **kwargs):
    # A post without the formset's management fields (an older client) counts as no rows.
    if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
        data = None
        initial = []
    # Bound rows are compared with the empty row, not with what was saved: an unchanged saved row
    # must not count as empty.
    return cls(data, prefix=prefix, initial=None if data is not None else initial, **kwargs)


class IncidentForms:
    """The incident form with its repeated rows: affected organisations and sources."""

    LABELS = {"affected": _lazy("Affected organisations"), "sources": _lazy("Sources")}

    def __init__(self, form, affected, sources, bound: bool):
        self.form, self.affected, self.sources, self.bound = form, affected, sources, bound

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for fs in (self.affected, self.sources):
            valid = (not fs.is_bound or fs.is_valid()) and valid
        return valid

    @property
    def has_errors(self) -> bool:
        return self.bound and (bool(self.form.errors) or any(
            fs.is_bound and (fs.total_error_count() > 0) for fs in (self.affected, self.sources)))

    def add_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                if name in self.LABELS:
                    self.form.add_error(None, [f"{self.LABELS[name]}: {e}" for e in errors])
                else:
                    self.form.add_error(name if name in self.form.fields else None, errors)
        else:
            self.form.add_error(None, exc.messages)

    def data(self) -> services.IncidentData:
        d = self.form.cleaned_data
        affected = [services.Affected(organisation_id=f.cleaned_data["organisation"],
                                      description=f.cleaned_data["description"],
                                      anonymous=f.cleaned_data["anonymous"])
                    for f in (self.affected.forms if self.affected.is_bound else [])
                    if not f.is_blank()]
        sources = [services.SourceData(url=f.cleaned_data["url"], title=f.cleaned_data["title"],
                                       is_public=f.cleaned_data["is_public"])
                   for f in (self.sources.forms if self.sources.is_bound else [])
                   if not f.is_blank()]
        return services.IncidentData(
            title=d["title"], started_on=d["started_on"], ended_on=d["ended_on"],
            country=d["country"], region=d["region"], actors=d["actors"], type_ids=d["types"],
            description=d["description"], severity=d["severity"], visibility=d["visibility"],
            affected=affected, sources=sources, language=d.get("language", ""))


def _incident_form(request, org, data=None, initial=None, network_id=None, affected=(),
                   sources=(), linked=(), current_types=()) -> IncidentForms:
    networks = list(queries.networks_for_reporting(org)) if org else []
    if network_id and not any(n.pk == network_id for n in networks):
        networks.append(Organisation.objects.get(pk=network_id))
    chosen = network_id or (networks[0].pk if networks else None)
    if data is not None and data.get("network", "").isdigit():
        chosen = int(data["network"])
    organisations = list(organisations_visible_to(request.user).order_by("name"))
    # Keep organisations already linked to the incident choosable, even if not in the directory.
    organisations += [o for o in linked if o.pk not in {x.pk for x in organisations}]
    types = list(queries.types_for_network(chosen))
    types += [t for t in current_types if t.pk not in {x.pk for x in types}]
    form = IncidentForm(data, initial=initial, networks=networks, types=types)
    return IncidentForms(
        form,
        _formset(AffectedFormSet, data, "affected", list(affected),
                 form_kwargs={"organisations": organisations}),
        _formset(SourceFormSet, data, "sources", list(sources)),
        bound=data is not None)


def _render_form(request, forms, **context):
    return render(request, "civicspace/form.html", {
        "form": forms.form, "affected_formset": forms.affected,
        "sources_formset": forms.sources, **context},
        status=400 if forms.has_errors else 200)


@login_required
def report(request):
    orgs = queries.member_orgs(request.user)
    if not orgs:
        raise Http404
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    org = next((o for o in orgs if str(o.pk) == wanted), orgs[0])
    forms = _incident_form(request, org, request.POST or None)
    if request.method == "POST" and forms.is_valid():
        network = queries.networks_for_reporting(org).filter(
            pk=forms.form.cleaned_data["network"]).first()
        try:
            if network is None:
                raise ValidationError({"network": [_("Choose one of your networks.")]})
            incident = services.incident_report(actor=request.user, reporting_org=org,
                                                network=network, data=forms.data())
        except ValidationError as exc:
            forms.add_error(exc)
        else:
            messages.success(request, _("Incident reported. The network's coordinators will "
                                        "review it."))
            if "add_rows" in request.POST and queries.may_edit(request.user, incident):
                return redirect("civicspace:edit", incident.pk)
            return redirect("civicspace:detail", incident.pk)
    return _render_form(request, forms, org=org, orgs=orgs, heading=_("Report an incident"))


@login_required
def edit(request, pk):
    incident = queries.incident_for_user(request.user, pk)
    if not queries.may_edit(request.user, incident):
        raise PermissionDenied(_("You cannot edit this incident now."))
    initial = {
        "network": incident.network_id, "title": incident.title,
        "started_on": incident.started_on, "ended_on": incident.ended_on,
        "country": incident.country, "region": incident.region, "actors": incident.actors,
        "types": [t.pk for t in incident.types.all()], "description": incident.description,
        "severity": incident.severity, "visibility": incident.visibility,
        "language": incident.language}
    affected = [{"organisation": a.organisation_id, "description": a.description,
                 "anonymous": a.anonymous} for a in incident.affected.all()]
    sources = [{"url": s.url, "title": s.title, "is_public": s.is_public}
               for s in incident.sources.filter(document__isnull=True)]
    forms = _incident_form(request, incident.reporting_org, request.POST or None, initial=initial,
                           network_id=incident.network_id, affected=affected, sources=sources,
                           linked=[a.organisation for a in incident.affected.select_related(
                               "organisation") if a.organisation_id],
                           current_types=list(incident.types.all()))
    if request.method == "POST" and forms.is_valid():
        try:
            services.incident_edit(incident=incident, actor=request.user, data=forms.data())
        except ValidationError as exc:
            forms.add_error(exc)
        else:
            messages.success(request, _("Incident saved."))
            if "add_rows" in request.POST:
                return redirect("civicspace:edit", incident.pk)
            return redirect("civicspace:detail", incident.pk)
    return _render_form(request, forms, incident=incident, heading=_("Edit the incident"))


def _detail(request, incident, form=None, status=200):
    return render(request, "civicspace/detail.html", {
        "incident": incident, "may_review": queries.may_review(request.user, incident),
        "may_edit": queries.may_edit(request.user, incident),
        "types": incident.types.all(), "affected": incident.affected.select_related("organisation"),
        "sources": incident.sources.filter(document__isnull=True),
        "documents": incident.documents.all()
        if queries.may_read_documents(request.user, incident) else [],
        "may_upload": queries.may_read_documents(request.user, incident),
        "versions": incident.versions.select_related("changed_by")[:50],
        "transition_form": form or TransitionForm(), "Status": Status,
        "linked": incident_links(request.user, incident.pk)}, status=status)


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
        "foreign_funding": [i for i in incidents if any(
            t.code == "foreign_funding_restriction" for t in i.types.all())],
        "country_panels": country_panels(request.user, code),
        "assessment_form": form, "public": False, "managed": {n.pk for n in networks},
        "extra_charts": country_charts(request.user, code)},
        status=400 if form is not None and form.is_bound and form.errors else 200)


def country_context(code, incidents, network_ids) -> dict:
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
    if queries.may_manage_network(user, consultation.network):
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
        "may_edit": queries.may_manage_network(request.user, c.network),
        "participations": c.participations.select_related("organisation", "incident")},
        status=400 if form is not None and form.is_bound and form.errors else 200)


@login_required
@require_POST
def exclusion_incident(request, pk):
    p = get_or_404(Participation.objects.select_related("consultation"), pk=pk)
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

    incident = queries.incident_for_user(request.user, pk)
    if not queries.may_read_documents(request.user, incident):
        raise Http404
    doc = get_or_404(IncidentDocument.objects.all(), pk=document_id, incident=incident)
    name, content = services.incident_document_open(doc)
    response = HttpResponse(content, content_type=doc.content_type)
    response["Content-Disposition"] = 'attachment; filename="{}"'.format(
        name.replace('"', "").replace("\n", " "))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def taxonomy(request):
    """The restriction types by family; network admins add their own and deactivate them."""
    networks = queries.managed_networks(request.user)
    if not networks:
        raise Http404
    form = RestrictionTypeForm(request.POST or None, networks=networks)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        network = next((n for n in networks if n.pk == d["network"]), None)
        try:
            if network is None:
                raise ValidationError({"network": [_("Choose one of your networks.")]})
            services.restriction_type_add(network=network, actor=request.user,
                                          family=d["family"], label=d["label"],
                                          description=d["description"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Restriction type added."))
            return redirect("civicspace:taxonomy")
    types = list(RestrictionType.objects.filter(network__isnull=True, is_active=True)
                 | RestrictionType.objects.filter(network__in=networks))
    families = [(Family(f).label, [t for t in types if t.family == f]) for f in Family.values]
    return render(request, "civicspace/taxonomy.html", {
        "families": families, "form": form, "managed": {n.pk for n in networks}},
        status=400 if form.is_bound and form.errors else 200)


@login_required
@require_POST
def taxonomy_deactivate(request, pk):
    from django.db.models import Q

    # Seeded types and the types of the user's networks are visible; the rest is 404.
    rtype = get_or_404(RestrictionType.objects.filter(
        Q(network__isnull=True) | Q(network_id__in=queries.user_networks(request.user))), pk=pk)
    try:
        services.restriction_type_deactivate(rtype=rtype, actor=request.user)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("Restriction type deactivated. Incidents that carry it keep "
                                    "it."))
    return redirect("civicspace:taxonomy")


def _history(obj):
    """Who changed what and when, from the audit log (field names only, never values)."""
    from bridgeway.protection.models import AuditEvent

    return (AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
            .select_related("actor").order_by("-seq")[:50])


@login_required
def consultation_edit(request, pk):
    c = queries.consultation_for_user(request.user, pk)
    if not queries.may_manage_network(request.user, c.network):
        raise PermissionDenied(_("Only the network's coordinators can edit consultations."))
    initial = {"country": c.country, "title": c.title, "kind": c.kind, "stage": c.stage,
               "opened_on": c.opened_on, "closes_on": c.closes_on, "url": c.url}
    form = ConsultationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.consultation_edit(consultation=c, actor=request.user, country=d["country"],
                                       title=d["title"], kind=d["kind"], stage=d["stage"],
                                       opened_on=d["opened_on"], closes_on=d["closes_on"],
                                       url=d["url"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Consultation saved."))
            return redirect("civicspace:consultation", c.pk)
    return render(request, "civicspace/edit.html", {
        "form": form, "heading": _("Edit the consultation"), "history": _history(c),
        "back": reverse("civicspace:consultation", args=[c.pk])},
        status=400 if form.is_bound and form.errors else 200)


@login_required
def assessment_edit(request, pk):
    a = get_or_404(CountryAssessment.objects.select_related("network"), pk=pk,
                          network_id__in=queries.user_networks(request.user))
    if not queries.may_manage_network(request.user, a.network):
        raise PermissionDenied(_("Only the network's coordinators can assess countries."))
    initial = {"period_start": a.period_start, "period_end": a.period_end, "rating": a.rating,
               "trend": a.trend, "justification": a.justification}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.assessment_edit(assessment=a, actor=request.user,
                                     period_start=d["period_start"], period_end=d["period_end"],
                                     rating=d["rating"], trend=d["trend"],
                                     justification=d["justification"])
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("civicspace:country", a.country)
    return render(request, "civicspace/edit.html", {
        "form": form, "heading": _("Edit the assessment of %(country)s by %(network)s") % {
            "country": country_name(a.country), "network": a.network.name},
        "history": _history(a), "back": reverse("civicspace:country", args=[a.country])},
        status=400 if form.is_bound and form.errors else 200)
