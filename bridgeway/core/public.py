"""Public pages (no login): no cookie, no session, cacheable, in the language asked for."""

import functools

from django.conf import settings
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers


def with_language(view):
    """`?lang=uk` shows the page in that language for this response only: no cookie, no session,
    so the pages stay cacheable and leave nothing behind. Without it, the browser's
    Accept-Language decides, as everywhere."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        lang = request.GET.get("lang", "")
        request.public_lang = lang if lang in dict(settings.LANGUAGES) else ""
        if request.public_lang:
            translation.activate(request.public_lang)
            request.LANGUAGE_CODE = request.public_lang
        return view(request, *args, **kwargs)

    return wrapped


def public_page(view):
    """Cacheable by browsers and proxies for five minutes, per language."""
    return require_GET(cache_control(public=True, max_age=300)(
        vary_on_headers("Accept-Language")(with_language(view))))
