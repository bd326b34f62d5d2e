"""The public page of published statistical releases: no login, no cookies, no JavaScript, as
the civic-space public pages. Only releases a second person approved and someone published;
each shows its table and how it protects the people counted."""

from django.http import HttpResponse
from django.shortcuts import render

from bridgeway.core.public import public_page
from bridgeway.stats import queries
from bridgeway.stats.views import release_csv, release_shown


@public_page
def index(request):
    return render(request, "stats/public/index.html",
                  {"releases": queries.published_releases()[:200]})


@public_page
def release(request, pk):
    published = queries.published_release(pk)
    if request.GET.get("format") == "csv":
        response = HttpResponse(release_csv(published), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="release-{published.pk}.csv"'
        return response
    return render(request, "stats/public/release.html", release_shown(published))
