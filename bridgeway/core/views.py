from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def not_found(request, exception):
    """A URL under /api/ that no operation matches (an id that is not a number, say) answers
    like the API's own 404, in JSON, as the schema says; other pages get the 404 page."""
    from django.views.defaults import page_not_found
    from rest_framework.exceptions import NotFound

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)
