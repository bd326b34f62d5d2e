"""The audit log groups what one person did at once: the same person, the same action, in the
same second (one request) is one entry naming all its subjects, linked; a supervisor exporting
15 persons' data is one entry with 15 persons. Filters still narrow the entries, the CSV stays
one line per event, a page costs the same number of statements however much it holds, and
every audit code any app registers reads as a sentence."""

import csv
import io
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgeway.cases import services as cases
from bridgeway.core.labels import sentence_registered
from bridgeway.protection.audit import audit_record
from bridgeway.protection.registry import audit_codes
from tests.conftest import signed_in
from tests.rawcodes import raw_codes

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 2, 9, 30, 0, 100_000, tzinfo=UTC)


def open_cases(cast, n):
    return [cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                            person=cases.PersonData(first_name="Ana", second_name=f"Rusu{i}"))
            for i in range(n)]


def record_at(when, **kwargs):
    with mock.patch("bridgeway.protection.audit.timezone.now", return_value=when):
        return audit_record(**kwargs)


def export_all(cast, opened, when=AT, action="protection.subject.exported"):
    """The supervisor exports every person's data in one go (one request, one second)."""
    for i, case in enumerate(opened):
        record_at(when + timedelta(microseconds=i), action=action, actor=cast.supervisor_a,
                  organisation=cast.org_a, obj=case.subject)


def audit_page(client, org, **params):
    return client.get(reverse("protection:audit_log"), {"organisation": org.pk, **params})


def test_one_action_on_fifteen_persons_is_one_entry_naming_the_fifteen(cast):
    opened = open_cases(cast, 15)
    export_all(cast, opened)
    page = audit_page(signed_in(cast.dpo_a), cast.org_a, action="protection.subject.exported")
    rows = page.context["rows"]
    assert len(rows) == 1
    assert rows[0]["count"] == 15 and len(rows[0]["subjects"]) == 15
    html = page.content.decode()
    assert html.count('href="/') > 0
    for case in opened:
        link = reverse("protection:subject", args=[case.subject_id])
        assert f'<a href="{link}">person {case.subject.reference}</a>' in html
    assert f"{cast.supervisor_a.full_name} exported the data of" in html
    assert "15 events" in html
    assert "Ana" not in html and "Rusu" not in html  # nothing decrypted: references only
    assert raw_codes(html) == []


def test_other_seconds_people_and_actions_are_other_entries(cast):
    opened = open_cases(cast, 3)
    export_all(cast, opened[:2])
    export_all(cast, opened[2:], when=AT + timedelta(seconds=5))
    record_at(AT, action="protection.subject.exported", actor=cast.dpo_a,
              organisation=cast.org_a, obj=opened[0].subject)
    page = audit_page(signed_in(cast.dpo_a), cast.org_a, action="protection.subject.exported")
    assert sorted(r["count"] for r in page.context["rows"]) == [1, 1, 2]


def test_filters_narrow_the_entries_and_the_csv_is_one_line_per_event(cast):
    opened = open_cases(cast, 15)
    export_all(cast, opened)
    client = signed_in(cast.dpo_a)
    by_person = audit_page(client, cast.org_a, actor=cast.supervisor_a.pk)
    assert [r["count"] for r in by_person.context["rows"]] == [15]
    by_caseworker = audit_page(client, cast.org_a, actor=cast.caseworker_a.pk,
                               action="protection.subject.exported")
    assert by_caseworker.context["rows"] == []
    about_one = audit_page(client, cast.org_a, subject=opened[3].reference,
                           action="protection.subject.exported")
    assert [r["count"] for r in about_one.context["rows"]] == [1]
    shown = about_one.context["rows"][0]["subjects"]
    assert shown == [(f"person {opened[3].subject.reference}",
                      reverse("protection:subject", args=[opened[3].subject_id]))]
    day = AT.date().isoformat()
    that_day = audit_page(client, cast.org_a, since=day, until=day)
    assert [r["count"] for r in that_day.context["rows"]] == [15]
    before = audit_page(client, cast.org_a, until=(AT.date() - timedelta(days=1)).isoformat())
    assert before.context["rows"] == []
    exported = audit_page(client, cast.org_a, actor=cast.supervisor_a.pk, format="csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 15  # the header, then one line per event


def test_a_page_costs_the_same_statements_however_many_entries_it_shows(cast):
    opened = open_cases(cast, 3)
    client = signed_in(cast.dpo_a)
    client.get(reverse("protection:audit_log"))  # warm the session, menus, caches

    def statements():
        # The menu's counts are kept a few seconds: on a slow machine they may have expired
        # between the two measurements, so each is taken right after a warm request.
        audit_page(client, cast.org_a, action="protection.subject.exported")
        with CaptureQueriesContext(connection) as queries:
            page = audit_page(client, cast.org_a, action="protection.subject.exported")
        assert page.status_code == 200
        return len(queries), len(page.context["rows"])

    export_all(cast, opened, when=AT)
    few, shown = statements()
    for s in range(1, 40):
        export_all(cast, opened, when=AT + timedelta(seconds=s))
    many, shown_many = statements()
    assert (shown, shown_many) == (1, 40)
    assert many == few


@pytest.mark.parametrize("who,status", [
    ("dpo_a", 200), ("admin_a", 200), ("supervisor_a", 404), ("caseworker_a", 404),
    ("admin_b", 404), ("outsider", 404),
])
def test_who_may_read_the_audit_log(cast, who, status):
    opened = open_cases(cast, 2)
    export_all(cast, opened)
    response = audit_page(signed_in(getattr(cast, who)), cast.org_a)
    assert response.status_code == status
    if status == 404:
        assert opened[0].subject.reference not in response.content.decode()


def test_every_audit_code_of_every_app_reads_as_a_sentence():
    ours = {c.label for c in apps.get_app_configs() if c.name.startswith("bridgeway.")}
    missing = sorted(code for code in audit_codes()
                     if code.split(".")[0] in ours and not sentence_registered(code))
    assert missing == [], f"add a sentence in the app's words.py for: {missing}"
