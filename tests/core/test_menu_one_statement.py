"""Issue 19: a person's whole menu (entries shown only when a row exists, every home queue's
count, the unread notifications) is asked of the database in one statement, with the same counts
as each queue counted on its own; in autocommit a broken count falls back to one statement per
part and the rest of the menu still shows."""

import logging

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bridgeway.core import menu, queues
from bridgeway.orgs.queries import active_memberships
from tests.conftest import signed_in
from tests.core.test_home_queues import open_case, refer

ROLES = ["caseworker_a", "supervisor_a", "admin_a", "dpo_a", "agency_poc", "coordinator",
         "platform_admin"]


def _menu(user):
    request = RequestFactory().get("/account/")
    request.user = user
    active_memberships(user)  # read by the middleware before any page
    queues._menu_cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        entries, counts = menu.menu_of(request)
    return entries, counts, len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_whole_menu_is_one_statement(cast, role):
    for n in range(3):
        refer(cast, open_case(cast, name=f"Zoia{n}"))
    user = getattr(cast, role)
    entries, counts, statements = _menu(user)
    # A data protection officer's flagged-access count first reads when each organisation last
    # reviewed it (one more statement).
    assert statements == (2 if role == "dpo_a" else 1)
    # The same counts as each queue's own items function.
    expected: dict[str, int] = {}
    for result in queues.run_queues(user, limit=0):
        if result.queue.menu:
            expected[result.queue.menu] = expected.get(result.queue.menu, 0) + result.count
        if result.queue.actionable:
            expected["home"] = expected.get("home", 0) + result.count
    assert {k: v for k, v in counts.items() if k != "notifications"} == expected
    assert ("/cases/" in [url for url, _l, _k in entries]) == (role in ("caseworker_a",
                                                                        "supervisor_a"))


@pytest.mark.django_db(transaction=True)
def test_a_broken_count_does_not_take_the_menu_down(cast, caplog):
    refer(cast, open_case(cast, name="Zoia"))

    def broken(user):
        from bridgeway.cases.models import Case

        return Case.objects.extra(where=["no_such_column = 1"])

    queues.register_queue("test.broken_count", "Broken count", lambda user, limit: (0, []),
                          order=1, menu="cases", count=broken)
    try:
        with caplog.at_level(logging.ERROR, logger="bridgeway.home"):
            queues._menu_cache.clear()
            page = signed_in(cast.agency_poc).get("/account/")
    finally:
        queues._queues.pop("test.broken_count")
    assert page.status_code == 200
    assert "Referrals (1)" in page.content.decode()  # the other counts still show
    assert "queue:test.broken_count" in caplog.text
