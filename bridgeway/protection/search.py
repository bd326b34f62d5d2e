"""Name searches without names in URLs.

A search form posts the name and the server answers that POST with the results page itself (one
request, no redirect, `Cache-Control: no-store`). The name never reaches a URL, a server access
log, browser history or a Referer header.

For the pages after the first, the session keeps the search under a random token that the pager
links carry (`?search=<token>`): the blind-index kind and digests of the query's words — keyed
HMACs, neither the name nor the ids of the people found. Each page asks the blind index again, so
a token from another session or organisation matches nobody, and an erased person drops out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict
from django.utils.cache import add_never_cache_headers

from bridgeway.protection.queries import (
    name_digests,
    subject_ids_by_digests,
    subjects_by_digests,
)

SESSION_KEY = "bridgeway_name_searches"
KEEP = 5
NAME_FIELDS = ("q", "fuzzy", "csrfmiddlewaretoken", "search", "page")


@dataclass(frozen=True)
class NameSearch:
    org: object
    kind: str
    digests: tuple[str, ...]
    token: str = ""

    def subjects(self):
        """The organisation's subjects who match."""
        return subjects_by_digests(self.org, kind=self.kind, digests=self.digests)

    def subject_ids(self):
        """Their ids, as a subquery of the blind index alone (for filtering other records)."""
        return subject_ids_by_digests(self.org, kind=self.kind, digests=self.digests)


def new_search(org, *, query: str, fuzzy: bool) -> NameSearch:
    """A search for the posted name; not yet remembered (see `remember`)."""
    kind, digests = name_digests(org, query, fuzzy=fuzzy)
    return NameSearch(org=org, kind=kind, digests=tuple(digests))


def remember(request, search: NameSearch) -> NameSearch:
    """Keeps the search (as digests) in the session for the following pages; only needed when
    the result has more than one page, so a search for one person writes no session."""
    token = secrets.token_urlsafe(9)
    searches = dict(request.session.get(SESSION_KEY, {}))
    while len(searches) >= KEEP:
        searches.pop(next(iter(searches)))
    searches[token] = {"org": search.org.pk, "kind": search.kind, "digests": list(search.digests)}
    request.session[SESSION_KEY] = searches
    return NameSearch(org=search.org, kind=search.kind, digests=search.digests, token=token)


def recalled_search(request, org) -> NameSearch | None:
    """The search named in the URL, or None when no search is asked for. An unknown or expired
    token, or one of another organisation, matches nobody."""
    token = request.GET.get("search")
    if not token:
        return None
    found = request.session.get(SESSION_KEY, {}).get(token)
    if not found or found.get("org") != org.pk or "digests" not in found:
        return NameSearch(org=org, kind="", digests=())
    return NameSearch(org=org, kind=found["kind"], digests=tuple(found["digests"]), token=token)


def results_query(org, search: NameSearch | None, *, other: QueryDict) -> str:
    """The query string of the result pages: the other filters, the organisation and the search
    token, never the name."""
    params = other.copy()
    for field in NAME_FIELDS:
        params.pop(field, None)
    params["organisation"] = str(org.pk)
    if search is not None and search.token:
        params["search"] = search.token
    return params.urlencode()


def redirect_to_results(request, org, *, other: QueryDict) -> HttpResponseRedirect:
    """A filter posted without a name: the filters go to the URL (they are not personal)."""
    return HttpResponseRedirect(f"{request.path}?{results_query(org, None, other=other)}")


def result_page(request, org, search: NameSearch | None, items, *, per_page: int,
                other: QueryDict):
    """The page of `items` a list that takes name searches shows, and the query string of its
    pager links (None on a GET: the pager keeps the URL's). A posted search shows its first
    page and is remembered (as digests, under a token) only when there are more pages."""
    posted = request.method == "POST"
    page = Paginator(items, per_page).get_page(1 if posted else request.GET.get("page"))
    if posted and search is not None and page.has_other_pages():
        search = remember(request, search)
    return page, results_query(org, search, other=other) if posted else None


def private(request, search: NameSearch | None, response):
    """A page showing a name search's result, or anything echoing a posted name, is kept by no
    cache, shared or the browser's."""
    if search is not None or request.method == "POST":
        add_never_cache_headers(response)
    return response
