"""Words, not codes, everywhere a person reads: the demo world, every demo role, the pages of
their menu and the pages one click away (a case, a referral, an incident...), rendered in
several languages, and no stored code on any of them: no CamelCase HTCDS value, no snake_case
token, no dotted audit code, no bare country code in a cell, no "app.model <uuid>", no Python
list or dict, no True/False/None.

One test, because the demo world takes seconds to seed: it is seeded once and walked."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import Resolver404, resolve

from bridgeway.accounts.models import User
from bridgeway.demo import data as demo
from tests.conftest import signed_in
from tests.rawcodes import PageText, raw_codes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Who is walked: one login per role of the demo world.
WALKERS = ["caseworker.a", "supervisor.a", "admin.a", "dpo.a", "police", "coordinator",
           "researcher", "caseworker.harbour"]
# Every interface language: a translation can carry a code of its own (a placeholder left
# untranslated, a token copied from the source). The pages one click away are walked in every
# language but Romanian and French, whose pages show the same codes as English if any (same
# script, same templates, same labels): the walk stays within about five minutes.
LANGUAGES = ["en", "uk", "ro", "fr", "ru", "ar"]
DEEP = {"en", "uk", "ru", "ar"}
# Pages the browser tests open, which the walk must reach too.
MUST_REACH = {
    "home", "cases:list", "cases:detail", "cases:work", "cases:edit", "stats:dashboard",
    "cases:my_tasks", "cases:assess", "referrals:list", "referrals:detail", "referrals:statistics",
    "civicspace:list", "civicspace:detail", "civicspace:review", "stats:home",
    "protection:subjects", "protection:subject", "protection:audit_log", "protection:access_log",
    "protection:retention", "orgs:directory", "orgs:detail", "orgs:mechanisms",
    "notifications:list", "accounts:settings",
}

def test_the_pattern_finds_what_the_issue_saw():
    page = """<table><tr><td>MD</td><td>Moldova</td></tr></table>
    <p>law_enforcement review_started ThroughFamilyOrFamilyEvents AtWork TransgenderNonConforming
    (LawEnforcement) referrals.referralmessage 0f1e2d3c-0000-0000-0000-000000000000
    ['a', 'b'] <span>override: False</span> cases:list (ui) cases.case.opened</p>"""
    found = "\n".join(raw_codes(page))
    for seen in ["'MD'", "law_enforcement", "review_started", "ThroughFamilyOrFamilyEvents",
                 "AtWork", "TransgenderNonConforming", "LawEnforcement",
                 "app.model and id", "Python list", "False", "cases:list", "cases.case.opened"]:
        assert seen in found, seen


def test_the_pattern_leaves_words_alone():
    page = """<table><tr><td>Moldova</td><td>12 Apr 1998</td><td>C-2026-0012</td></tr></table>
    <p>Maria Ionescu opened case C-2026-0012. Write to ana@demo.bridgeway.test or see
    https://example.org/a_b. Law enforcement, forced labour: 3 of 5. Answer due 7 Dec 2026,
    17:00 EET. False information about law.</p><script>var x_y = {'a': True};</script>"""
    assert raw_codes(page) == []


def _internal(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/static/", "/accounts/logout", "/api/", "/i18n/")):
        return None
    return href.split("#")[0]


def _pattern(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def _walk(client, language: str, deep: bool, reached: set | None = None) -> dict[str, list[str]]:
    """{url: raw codes} over the menu's pages and, with `deep`, one page of each kind they
    link to (the first case, the first referral...)."""
    client.cookies["django_language"] = language
    home = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert home.status_code == 200
    assert f'<html lang="{language}"' in home.content.decode()  # the walk reads that language
    reader = PageText()
    reader.feed(home.content.decode())
    menu = [u for u in (_internal(h) for h in reader.links) if u]
    seen_kinds: set[str | None] = set()
    queue = list(dict.fromkeys(["/", *menu]))
    problems: dict[str, list[str]] = {}
    visited: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if reached is not None:
            reached.add(_pattern(url))
        found = raw_codes(html)
        if found:
            problems[f"{language} {url}"] = found
        if not deep or url not in menu and url != "/":
            continue
        page = PageText()
        page.feed(html)
        for href in page.links:
            link = _internal(href)
            kind = _pattern(link) if link else None
            if link and kind and kind not in seen_kinds and "export" not in link \
                    and "download" not in link and "csv" not in link:
                seen_kinds.add(kind)
                queue.append(link)
    return problems


def test_no_page_of_any_role_shows_a_code():
    with override_settings(BRIDGEWAY_DEMO_ALLOWED=True):
        call_command("demo_seed", verbosity=0)
    problems: dict[str, list[str]] = {}
    reached: set[str | None] = set()
    for username in WALKERS:
        user = User.objects.get(email=demo.email(username))
        client = signed_in(user)
        for language in LANGUAGES:
            for url, found in _walk(client, language, deep=language in DEEP,
                                    reached=reached).items():
                problems[f"{username} {url}"] = found
    report = "\n".join(f"{where}: {', '.join(found)}" for where, found in sorted(problems.items()))
    assert not problems, report
    # The walk reaches the pages the browser tests reach; if a menu changes so that it does
    # not, this says which.
    assert MUST_REACH <= reached, MUST_REACH - reached
