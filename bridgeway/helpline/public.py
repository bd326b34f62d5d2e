from django.http import Http404


def form(request, slug):
    raise Http404
