"""The menu's entries and counts are kept a few seconds per person (issue 19), never at the cost
of a wrong count after the person acts, nor of a permission check."""

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from bridgeway.core import queues
from bridgeway.notifications.models import Kind
from bridgeway.notifications.services import notify
from tests.conftest import signed_in


def _queries(client, url, method="get"):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url)
    return response, len(ctx.captured_queries)


def test_the_second_page_does_not_count_again(cast):
    client = signed_in(cast.caseworker_a)
    url = reverse("notifications:list")
    client.get(url)  # the session is written at most once a minute
    with override_settings(BRIDGEWAY_MENU_SECONDS=0):
        _page, counted = _queries(client, url)
    queues._menu_cache.clear()
    _page, first = _queries(client, url)  # counts, and keeps them
    page, kept = _queries(client, url)
    assert first == counted
    # The whole menu is one statement (core.menu): kept, it is not asked at all.
    assert page.status_code == 200 and kept == counted - 1  # memberships still read: MFA


def test_a_new_or_read_notification_shows_at_once(cast):
    client = signed_in(cast.caseworker_a)
    url = reverse("notifications:list")
    assert "Notifications (1)" not in client.get(url).content.decode()
    note, = notify(users=[cast.caseworker_a], kind=Kind.TASK_OVERDUE, link="/cases/tasks/",
                   email=False)
    assert "Notifications (1)" in client.get(url).content.decode()
    client.get(reverse("notifications:open", args=[note.pk]))
    assert "Notifications (1)" not in client.get(url).content.decode()


def test_home_and_posts_count_afresh_and_people_do_not_share(cast):
    from bridgeway.notifications.models import Notification

    client = signed_in(cast.caseworker_a)
    url = reverse("notifications:list")
    client.get(url)
    # Written behind the menu's back (no service): only a fresh count can see it.
    Notification.objects.create(user=cast.caseworker_a, kind=Kind.TASK_OVERDUE,
                                link="/cases/tasks/")
    assert "Notifications (1)" not in client.get(url).content.decode()  # kept
    assert "Notifications (1)" in client.get(reverse("home")).content.decode()
    assert "Notifications (1)" in client.get(url).content.decode()
    Notification.objects.filter(user=cast.caseworker_a).update(read_at="2026-01-01T00:00Z")
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "Notifications (1)" not in response.content.decode()
    # Another person's menu is their own: entries by their roles, not the first person's.
    other = signed_in(cast.dpo_a).get(url).content.decode()
    mine = client.get(url).content.decode()
    assert reverse("cases:list") in mine and reverse("cases:list") not in other


def test_a_kept_menu_never_opens_a_page(cast):
    """The menu lags a role change by seconds at most; the page itself checks on every
    request."""
    from bridgeway.orgs.models import Membership

    client = signed_in(cast.caseworker_a)
    assert client.get(reverse("cases:list")).status_code == 200
    Membership.objects.filter(user=cast.caseworker_a).update(is_active=False)
    assert client.get(reverse("cases:list")).status_code in (302, 403, 404)


def test_a_name_search_posts_but_keeps_the_menu(cast):
    """The name search is a POST only to keep the name out of URLs: it changes nothing, so the
    kept menu serves it; another POST counts afresh."""
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:list")
    client.get(url)
    client.get(url)  # the menu is kept now
    with override_settings(BRIDGEWAY_MENU_SECONDS=0):
        _r, fresh = _queries(client, url, "get")
        with CaptureQueriesContext(connection) as ctx:
            client.post(url, {"q": "Melnyk", "fuzzy": "on"})
        fresh_search = len(ctx.captured_queries)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, {"q": "Melnyk", "fuzzy": "on"})
    assert response.status_code == 200 and len(ctx.captured_queries) < fresh_search
