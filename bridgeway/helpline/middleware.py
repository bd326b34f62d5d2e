"""The public form's flood defences, run before the rest of the middleware stack.

A flood of posts to /help/<address>/ is refused by `public.refuse_early` (the rate limit, the
body size, the signed time trap, the day's allowance without proof-of-work): none of it needs a
session, a user, the CSRF check, the Content-Security-Policy or URL routing, which together cost
about as much again as the refusal itself. Placed just after SecurityMiddleware (its headers
still apply); everything else reaches the view as before, which then skips the checks already
made."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from bridgeway.helpline import abuse, public


class PublicFormGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.prefix = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            if not self.prefix:
                self.prefix = reverse("helpline_public:form", args=["x"])[:-2]
            path = request.path_info
            if path.startswith(self.prefix) and path.endswith("/"):
                slug = path[len(self.prefix):-1]
                if slug and "/" not in slug:
                    refused = self._refuse(request, slug)
                    if refused is not None:
                        return refused
                    request.helpline_checked = True  # type: ignore[attr-defined]
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, slug: str) -> HttpResponse | None:
        lang = request.GET.get("lang", "")
        if lang not in self.languages:
            lang = translation.get_language_from_request(request)
        with translation.override(lang):
            try:
                return public.refuse_early(request, slug)
            except abuse.CACHE_DOWN as exc:
                return public.unavailable(exc)
