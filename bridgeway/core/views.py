from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from bridgeway.accounts.services import user_set_language
from bridgeway.orgs.codes import ADMIN_ROLES, AUDIT_READER_ROLES, Role
from bridgeway.orgs.queries import active_memberships

# Lines shown per queue on the home page; "See all" leads to the full list.
HOME_QUEUE_ITEMS = 5


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
    return render(request, "core/home.html", {"entries": list(by_org.values()),
                                              "queues": _home_queues(request)})


def _home_queues(request) -> list[dict]:
    """The person's work queues with items, those with an urgent item first (then in the
    registry's order); a queue that failed says so in one line."""
    from django.urls import NoReverseMatch, reverse

    from bridgeway.core.queues import count_label, queue_results

    shown = []
    for result in queue_results(request, limit=HOME_QUEUE_ITEMS):
        try:
            more = reverse(result.queue.more) if result.queue.more else ""
        except NoReverseMatch:
            more = ""
        shown.append({"key": result.queue.key, "title": result.queue.title,
                      "count": result.count, "count_label": count_label(result.count),
                      "items": result.items, "failed": result.failed,
                      "more": more, "urgency": max((i.urgency for i in result.items), default=0)})
    shown.sort(key=lambda q: -q["urgency"])  # stable: the registry's order otherwise
    return shown



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
