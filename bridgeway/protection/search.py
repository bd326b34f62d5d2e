"""Name searches without names in URLs.

A search form posts the name; the server looks it up through the blind indexes, keeps only the
matching subject ids in the session under a random token, and redirects to `?search=<token>`. The
name never reaches a URL, a server access log, browser history or a Referer header, and the
session holds ids, not the name.
"""

from __future__ import annotations

import secrets

from django.http import HttpResponseRedirect, QueryDict

from bridgeway.protection.services import subjects_by_name

SESSION_KEY = "bridgeway_name_searches"
KEEP = 5
NAME_FIELDS = ("q", "fuzzy", "csrfmiddlewaretoken", "search", "page")


def redirect_with_search(request, org, *, query: str, fuzzy: bool,
                         other: QueryDict) -> HttpResponseRedirect:
    params = other.copy()
    for field in NAME_FIELDS:
        params.pop(field, None)
    params["organisation"] = str(org.pk)
    if query.strip():
        ids = [str(pk) for pk in subjects_by_name(org, query, fuzzy=fuzzy)
               .values_list("pk", flat=True)]
        token = secrets.token_urlsafe(9)
        searches = dict(request.session.get(SESSION_KEY, {}))
        while len(searches) >= KEEP:
            searches.pop(next(iter(searches)))
        searches[token] = {"org": org.pk, "ids": ids}
        request.session[SESSION_KEY] = searches
        params["search"] = token
    return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")


def recalled_ids(request, org) -> list[str] | None:
    """The subject ids of the search named in the URL, or None when no search is asked for.
    An unknown or expired token matches nobody."""
    token = request.GET.get("search")
    if not token:
        return None
    found = request.session.get(SESSION_KEY, {}).get(token)
    if not found or found.get("org") != org.pk:
        return []
    return found["ids"]
