"""Issue 19: a ceiling on the SQL statements of every page each role reaches from its menu, with
the menu counted afresh (its few seconds of keeping do not hide anything here), and again with
more rows behind each list: the number does not grow with the data (no query per row)."""

import os
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgeway.core import queues
from bridgeway.core.registry import menu_for
from tests.conftest import signed_in
from tests.core.test_home_queues import open_case, refer

pytestmark = pytest.mark.django_db

# Statements per page (menu counted afresh), by role and URL; a page not listed here fails the
# test, so a new menu entry needs its ceiling. The same on SQLite and PostgreSQL; they include the
# menu's savepoint (two statements, in tests only: requests run in autocommit).
CEILINGS: dict[str, dict[str, int]] = {
    "caseworker_a": {
        "/": 13, "/orgs/": 14, "/orgs/task-forces/": 12, "/cases/": 17, "/referrals/": 13,
        "/protection/people/": 15, "/civic-space/": 13, "/notifications/": 12, "/account/": 12,
    },
    "supervisor_a": {
        "/": 14, "/orgs/": 16, "/orgs/task-forces/": 14, "/cases/": 19, "/referrals/": 15,
        "/referrals/statistics/": 14, "/protection/people/": 17, "/civic-space/": 15,
        "/stats/": 15, "/estimation/": 15, "/notifications/": 14, "/account/": 14,
    },
    "admin_a": {
        "/": 8, "/orgs/": 11, "/orgs/task-forces/": 10, "/referrals/": 8,
        "/referrals/statistics/": 9, "/civic-space/": 10, "/stats/": 10, "/estimation/": 10,
        "/protection/audit/": 13, "/protection/keys/": 11, "/notifications/": 9, "/account/": 9,
    },
    "dpo_a": {
        "/": 11, "/orgs/": 14, "/orgs/task-forces/": 12, "/protection/people/": 13,
        "/civic-space/": 13, "/protection/access-log/": 14, "/protection/retention/": 14,
        "/protection/audit/": 16, "/protection/keys/": 14, "/notifications/": 12,
        "/account/": 12,
    },
    "agency_poc": {
        "/": 11, "/orgs/": 13, "/orgs/task-forces/": 11, "/referrals/": 11,
        "/notifications/": 12, "/account/": 11,
    },
    "coordinator": {
        "/": 8, "/orgs/": 11, "/orgs/task-forces/": 9, "/referrals/statistics/": 10,
        "/civic-space/": 9, "/stats/": 10, "/estimation/": 8, "/notifications/": 9,
        "/account/": 10,
    },
    "platform_admin": {
        "/": 7, "/orgs/": 10, "/orgs/task-forces/": 9, "/notifications/": 8, "/account/": 8,
        "/orgs/new/": 7, "/platform-admin/": 8,
    },
}

ROLES = ["caseworker_a", "supervisor_a", "admin_a", "dpo_a", "agency_poc", "coordinator",
         "platform_admin"]


def _statements(client, url) -> tuple[int, int]:
    queues._menu_cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


def _counts(cast, role):
    user = getattr(cast, role)
    client = signed_in(user)
    client.get("/healthz")
    out = {}
    for url, _label, _key in menu_for(user):
        if url.startswith("/admin/"):
            continue
        client.get(url)  # the session is written at most once a minute: not what is counted
        out[url] = _statements(client, url)
    return out


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_page_within_its_ceiling(cast, role):
    # More than a home queue shows (5) already, so each queue's count runs in both rounds.
    for n in range(6):
        refer(cast, open_case(cast, name=f"Zinaida{n}"))
    few = _counts(cast, role)
    for n in range(6):
        refer(cast, open_case(cast, name=f"Zinovia{n}"))
    many = _counts(cast, role)
    if os.environ.get("SHOW_CEILINGS"):
        sys.__stdout__.write(f"{role!r}: {dict((u, n) for u, (_s, n) in many.items())!r},\n")
    assert [url for url, (status, _n) in many.items() if status != 200] == []
    assert {url: (few[url][1], n) for url, (_s, n) in many.items() if n > few[url][1]} == {}
    over = {url: n for url, (_s, n) in many.items() if n > CEILINGS.get(role, {}).get(url, 0)}
    assert over == {}, "over the ceiling (or a new page without one)"
