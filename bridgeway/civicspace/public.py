"""Public, read-only civic-space pages: no login, no cookies, no JavaScript needed, published
incidents with public visibility only. Anonymous affected organisations appear only by their
description."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import feedgenerator, translation
from django.utils.translation import gettext as _

from bridgeway.civicspace import queries
from bridgeway.civicspace.exports import export_response, refused_filters
from bridgeway.civicspace.forms import FilterForm
from bridgeway.civicspace.models import Consultation, CountryAssessment
from bridgeway.civicspace.views import country_context
from bridgeway.core.public import public_page
from bridgeway.core.shortcuts import get_or_404
from bridgeway.orgs.codes import country_name, is_country


def _public_networks() -> set[int]:
    # Assessments and consultations are the networks' own public record.
    return set(CountryAssessment.objects.values_list("network_id", flat=True)) | set(
        Consultation.objects.values_list("network_id", flat=True))


@public_page
def index(request):
    incidents = queries.public_incidents()
    countries = sorted({c for c in incidents.values_list("country", flat=True)}
                       | set(CountryAssessment.objects.values_list("country", flat=True)),
                       key=country_name)
    latest = incidents.order_by("-published_at")[:10]
    return render(request, "civicspace/public/index.html", {
        "countries": [(c, country_name(c)) for c in countries], "latest": latest})


@public_page
def country(request, code):
    if not is_country(code):
        raise Http404
    incidents = queries.public_incidents().filter(country=code).prefetch_related(
        "types", "affected__organisation")
    return render(request, "civicspace/public/country.html",
                  {**country_context(code, incidents, _public_networks()), "public": True})


@public_page
def incident(request, pk):
    inc = get_or_404(queries.public_incidents().select_related("network"), pk=pk)
    return render(request, "civicspace/public/incident.html", {
        "incident": inc, "types": inc.types.all(),
        "affected": inc.affected.select_related("organisation"),
        "sources": inc.sources.filter(is_public=True, document__isnull=True)})


@public_page
def export(request, fmt):
    qs = queries.public_incidents()
    form = FilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        qs = queries.filter_incidents(qs, country=d["country"], family=d["family"],
                                      actor=d["actor"], since=d["since"], until=d["until"])
    return refused_filters(form) or export_response(qs, fmt, public=True)


@public_page
def feed(request):
    link = request.build_absolute_uri(reverse("civicspace_public:index"))
    atom = feedgenerator.Atom1Feed(
        title=_("Bridgeway: civic-space incidents"), link=link,
        description=_("Published incidents restricting civil society."),
        language=translation.get_language() or "en",
        feed_url=request.build_absolute_uri())
    for inc in queries.public_incidents().order_by("-published_at").prefetch_related(
            "types", "affected__organisation")[:50]:
        url = request.build_absolute_uri(reverse("civicspace_public:incident", args=[inc.pk]))
        affected = "; ".join(a.public_label() for a in inc.affected.all())
        atom.add_item(title=f"{country_name(inc.country)}: {inc.title}", link=url,
                      unique_id=f"urn:uuid:{inc.pk}", pubdate=inc.published_at,
                      updateddate=inc.updated_at,
                      description=inc.description + (f"\n\n{_('Affected')}: {affected}"
                                                     if affected else ""),
                      categories=[t.label for t in inc.types.all()])
    return feedgenerator_response(atom)


def feedgenerator_response(atom):
    from django.http import HttpResponse

    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    atom.write(response, "utf-8")
    return response
