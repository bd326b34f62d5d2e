from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from bridgeway.accounts.services import user_set_language
from bridgeway.orgs.codes import ADMIN_ROLES, AUDIT_READER_ROLES, Role
from bridgeway.orgs.queries import active_memberships


@login_required
def home(request):
    by_org: dict[int, dict] = {}
    for m in active_memberships(request.user):
        entry = by_org.setdefault(m.organisation_id, {"org": m.organisation, "roles": []})
        entry["roles"].append(m.get_role_display())
        entry["is_admin"] = entry.get("is_admin", False) or m.role in ADMIN_ROLES
        entry["reads_audit"] = entry.get("reads_audit", False) or m.role in AUDIT_READER_ROLES
        entry["coordinates"] = entry.get("coordinates", False) or m.role in (
            Role.NETWORK_COORDINATOR, Role.ORG_ADMIN) and m.organisation.is_network
    return render(request, "core/home.html", {"entries": list(by_org.values())})


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def set_language(request):
    """Switches the interface language; for a signed-in person the choice is saved."""
    lang = request.POST.get("language", "")
    if lang not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language.")
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = "/"
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=lang)
    translation.activate(lang)
    response = redirect(nxt)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )
    return response


def not_found(request, exception):
    """A URL under /api/ that no operation matches (an id that is not a number, say) answers
    like the API's own 404, in JSON, as the schema says; other pages get the 404 page."""
    from django.views.defaults import page_not_found
    from rest_framework.exceptions import NotFound

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)
