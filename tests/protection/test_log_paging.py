"""The audit log and the access log are read a page at a time: the first page reads only the
rows its entries need (a window, newest first), and "Next" carries a cursor to the older ones.
An entry (one action done at once, one request that read personal data) is never cut in two by
a page's end: following "Next" to the end shows every entry once, whole, and the first page
costs the same statements whatever the log holds."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgeway.protection import logs
from bridgeway.protection.models import AccessLogEntry, AuditEvent
from tests.conftest import signed_in
from tests.protection.test_audit_grouping import AT, open_cases, record_at

pytestmark = pytest.mark.django_db

EXPORTED = "protection.subject.exported"


def record_groups(cast, subjects, seconds):
    """In each second: the supervisor exports every subject (one entry), and in the middle of it
    the data protection officer exports the first one (another entry, interleaved)."""
    for s in range(seconds):
        when = AT + timedelta(seconds=s)
        for i, subject in enumerate(subjects):
            record_at(when + timedelta(microseconds=i * 10), action=EXPORTED,
                      actor=cast.supervisor_a, organisation=cast.org_a, obj=subject)
            if i == 1:
                record_at(when + timedelta(microseconds=15), action=EXPORTED, actor=cast.dpo_a,
                          organisation=cast.org_a, obj=subjects[0])


def walk(client, url, params):
    """Every page, following "Next" (its link as a person would): the rows of each page."""
    pages = []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200
        pages.append(response.context["rows"])
        html = response.content.decode()
        found = re.search(r'<a href="\?([^"]*before=[^"]*)">Next</a>', html)
        if not found:
            assert response.context["page"].before is None
            return pages, html
        response = client.get(f"{url}?{unescape(found.group(1))}")
        assert "Newest entries" in response.content.decode()


def test_following_next_shows_every_audit_entry_once_and_whole(cast):
    subjects = [c.subject for c in open_cases(cast, 3)]
    record_groups(cast, subjects, seconds=30)  # 60 entries: more than a page of 50
    pages, _last = walk(signed_in(cast.dpo_a), reverse("protection:audit_log"),
                        {"organisation": cast.org_a.pk, "action": EXPORTED})
    assert len(pages) == 2 and len(pages[0]) == 50
    rows = [r for page in pages for r in page]
    assert len(rows) == 60
    keys = [(r["at"].replace(microsecond=0), r["who"]) for r in rows]
    assert len(set(keys)) == 60  # nothing shown twice
    assert sorted(r["count"] for r in rows) == [1] * 30 + [3] * 30  # every entry whole
    assert [r["at"] for r in rows] == sorted((r["at"] for r in rows), reverse=True)


def test_a_page_ends_where_an_entry_ends_even_inside_a_window(cast):
    subjects = [c.subject for c in open_cases(cast, 3)]
    record_groups(cast, subjects, seconds=4)
    events = AuditEvent.objects.filter(organisation=cast.org_a, action=EXPORTED)
    seen, before, pages = [], None, 0
    while True:
        # three entries a page: the page must stop after the second's other entry, not at 3
        page = logs.audit_page(events, before=before, size=3)
        pages += 1
        assert all(len(g) == (3 if g[0].actor_id == cast.supervisor_a.pk else 1)
                   for g in page.groups)
        seen += [(g[0].actor_id, g[0].created_at.replace(microsecond=0)) for g in page.groups]
        if page.before is None:
            break
        before = page.before
    assert len(seen) == len(set(seen)) == 8
    assert pages == 2  # each page is two whole seconds (four entries), not three entries


def test_one_entry_longer_than_the_window_is_read_whole(cast):
    subjects = [c.subject for c in open_cases(cast, 2)]
    big = [AuditEvent(seq=10_000 + i, created_at=AT + timedelta(microseconds=i),
                      actor=cast.supervisor_a, organisation=cast.org_a, action=EXPORTED,
                      object_type="protection.datasubject", object_id=str(subjects[i % 2].pk),
                      prev_hash="", hash="") for i in range(30)]
    older = AuditEvent(seq=9_000, created_at=AT - timedelta(seconds=5), actor=cast.dpo_a,
                       organisation=cast.org_a, action=EXPORTED, prev_hash="", hash="")
    AuditEvent.objects.bulk_create([*big, older])
    events = AuditEvent.objects.filter(organisation=cast.org_a, action=EXPORTED)
    page = logs.audit_page(events, size=1)  # a window of 4 rows, an entry of 30
    assert [len(g) for g in page.groups] == [30]
    assert page.before == AT.replace(microsecond=0)
    rest = logs.audit_page(events, before=page.before, size=1)
    assert [len(g) for g in rest.groups] == [1] and rest.before is None and rest.after


def test_the_first_page_costs_the_same_at_any_size_of_the_log(cast):
    subjects = [c.subject for c in open_cases(cast, 3)]
    client = signed_in(cast.dpo_a)
    client.get(reverse("protection:audit_log"))

    def statements():
        params = {"organisation": cast.org_a.pk, "action": EXPORTED}
        client.get(reverse("protection:audit_log"), params)  # the menu's counts kept afresh
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("protection:audit_log"), params)
        assert response.status_code == 200
        return len(queries), len(response.context["rows"])

    record_groups(cast, subjects, seconds=26)
    at_52 = statements()
    record_groups(cast, subjects, seconds=60)
    assert statements() == at_52 and at_52[1] == 50


def test_a_cursor_nobody_can_read_is_the_first_page(cast):
    subjects = [c.subject for c in open_cases(cast, 1)]
    record_groups(cast, subjects, seconds=1)
    client = signed_in(cast.dpo_a)
    for bad in ("yesterday", "2026-13-45", "2026-11-02T09:30:00"):  # no zone: not ours
        response = client.get(reverse("protection:audit_log"),
                              {"organisation": cast.org_a.pk, "before": bad})
        assert response.status_code == 200 and len(response.context["rows"]) >= 1
        assert response.context["page"].after is False


def read_requests(cast, subjects, requests, at=AT):
    """`requests` list pages each reading every subject (one entry each), a second apart, with
    another person's single read at the same instant (another entry)."""
    rows = []
    for r in range(requests):
        when = at + timedelta(seconds=r)
        rows += [AccessLogEntry(at=when, user=cast.supervisor_a, subject=s,
                                organisation=cast.org_a, screen="cases:list", via="ui",
                                flags=["many_subjects"] if r % 2 else [])
                 for s in subjects]
        rows.append(AccessLogEntry(at=when, user=cast.caseworker_a, subject=subjects[0],
                                   organisation=cast.org_a, screen="cases:detail", via="ui"))
    AccessLogEntry.objects.bulk_create(rows)


def test_following_next_shows_every_access_entry_once_and_whole(cast):
    subjects = [c.subject for c in open_cases(cast, 4)]
    AccessLogEntry.objects.all().delete()
    read_requests(cast, subjects, requests=40)  # 80 entries
    client = signed_in(cast.dpo_a)
    pages, _html = walk(client, reverse("protection:access_log"), {"organisation": cast.org_a.pk})
    rows = [r for page in pages for r in page]
    assert len(pages) == 2 and len(pages[0]) == 50
    assert len(rows) == 80
    assert sorted(r["count"] for r in rows) == [1] * 40 + [4] * 40
    assert len({(r["at"], r["who"]) for r in rows}) == 80
    flagged, _html = walk(client, reverse("protection:access_log"),
                          {"organisation": cast.org_a.pk, "flagged": "on"})
    assert sum(len(p) for p in flagged) == 20
    assert all(r["flags"] and r["count"] == 4 for p in flagged for r in p)


def test_the_access_log_csv_still_has_every_entry(cast):
    subjects = [c.subject for c in open_cases(cast, 2)]
    AccessLogEntry.objects.all().delete()
    read_requests(cast, subjects, requests=130, at=datetime(2026, 10, 1, tzinfo=UTC))
    response = signed_in(cast.dpo_a).get(reverse("protection:access_log"),
                                         {"organisation": cast.org_a.pk, "format": "csv"})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 260
