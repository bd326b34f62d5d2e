"""The project's URLs plus two bench-only pages (bench.settings_prod only): a signed-in view that
returns nothing, through the whole middleware stack, and the base template with nothing in it
(the menu and the context processors): the floors the pages are measured against."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from bridgeway.urls import handler404
from bridgeway.urls import urlpatterns as project_urls

__all__ = ["handler404", "urlpatterns"]


@login_required
def empty(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def empty_page(request):
    return render(request, "base.html", {})


urlpatterns = [path("bench/empty", empty), path("bench/empty-page", empty_page), *project_urls]
