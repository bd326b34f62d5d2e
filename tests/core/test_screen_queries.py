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

# Statements per page (menu counted afresh), by role and URL. The whole menu (its conditional
# entries, every home queue's count, the unread notifications) is ONE statement (core/menu.py),
# plus one for a data protection officer (when each organisation last reviewed flagged access);
# the home page runs its queues instead. A page not listed here fails the test, so a new menu
# entry needs its ceiling. The same on SQLite and PostgreSQL.
CEILINGS: dict[str, dict[str, int]] = {
    "caseworker_a": {
        "/": 18, "/orgs/": 8, "/orgs/task-forces/": 6, "/cases/": 11, "/referrals/": 7,
        "/helpline/": 6, "/protection/people/": 9, "/outreach/": 5, "/civic-space/": 7,
        "/notifications/": 6, "/account/": 6,
    },
    "supervisor_a": {
        "/": 19, "/orgs/": 8, "/orgs/task-forces/": 6, "/cases/": 11, "/referrals/": 7,
        "/referrals/statistics/": 6, "/helpline/": 6, "/protection/people/": 9, "/outreach/": 5,
        "/civic-space/": 7, "/stats/": 7, "/estimation/": 7, "/notifications/": 6, "/account/": 6,
    },
    "admin_a": {
        "/": 12, "/orgs/": 8, "/orgs/task-forces/": 7, "/referrals/": 5,
        "/referrals/statistics/": 6, "/outreach/": 5, "/civic-space/": 7, "/funding/": 5,
        "/stats/": 7, "/estimation/": 7, "/protection/audit/": 15, "/protection/keys/": 8,
        "/notifications/": 6, "/account/": 6,
    },
    "dpo_a": {
        "/": 13, "/orgs/": 9, "/orgs/task-forces/": 7, "/protection/people/": 8,
        "/civic-space/": 8, "/protection/access-log/": 9, "/protection/retention/": 9,
        "/protection/audit/": 16, "/protection/keys/": 9, "/notifications/": 7, "/account/": 7,
    },
    "agency_poc": {
        "/": 13, "/orgs/": 8, "/orgs/task-forces/": 6, "/referrals/": 6, "/notifications/": 7,
        "/account/": 6,
    },
    "coordinator": {
        "/": 12, "/orgs/": 7, "/orgs/task-forces/": 5, "/referrals/statistics/": 6,
        "/helpline/statistics/": 10, "/outreach/": 4, "/civic-space/": 5, "/surveys/": 5,
        "/funding/": 5, "/stats/": 6, "/estimation/": 4, "/notifications/": 5, "/account/": 6,
    },
    "platform_admin": {
        "/": 7, "/orgs/": 8, "/orgs/task-forces/": 7, "/notifications/": 6, "/account/": 6,
        "/orgs/new/": 5, "/platform-admin/": 6,
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
    # 302: a menu entry that leads straight to the only thing there is (funding, one organisation)
    assert [url for url, (status, _n) in many.items() if status not in (200, 302)] == []
    assert {url: (few[url][1], n) for url, (_s, n) in many.items() if n > few[url][1]} == {}
    over = {url: n for url, (_s, n) in many.items() if n > CEILINGS.get(role, {}).get(url, 0)}
    assert over == {}, "over the ceiling (or a new page without one)"
