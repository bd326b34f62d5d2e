"""The audit log and the access log read as sentences with links ("Ana Rusu opened case
C-…"), the access log grouped by request (a supervisor opening a list of 15 cases is one entry
with 15 persons), filterable by who, what, when and subject, and exportable as a CSV a
spreadsheet opens safely. Only the people who read them today may; nobody's name is decrypted
for them."""

import csv
import io

import pytest
from django.urls import reverse

from bridgeway.cases import services as cases
from bridgeway.orgs.models import Organisation
from bridgeway.protection.models import AccessLogEntry, AuditEvent
from tests.conftest import signed_in
from tests.rawcodes import raw_codes

pytestmark = pytest.mark.django_db


def open_case(cast, first="Ana", second="Rusu"):
    return cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                           person=cases.PersonData(first_name=first, second_name=second))


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the audit log ---------------------------------------------------------------------------------

def test_an_audit_event_reads_as_a_sentence_with_a_link_to_the_case(cast):
    case = open_case(cast)
    page = signed_in(cast.dpo_a).get(reverse("protection:audit_log"),
                                     {"organisation": cast.org_a.pk})
    html = page.content.decode()
    name = cast.caseworker_a.full_name
    link = reverse("cases:detail", args=[case.pk])
    assert f'{name} opened <a href="{link}">case {case.reference}</a>' in html
    assert raw_codes(html) == []  # no "cases.case <uuid>", no "cases.case.opened"
    assert "Ana" not in html and "Rusu" not in html  # the person is named by reference only


def test_payload_details_read_as_words_and_unknown_keys_are_left_out(cast):
    open_case(cast)
    Organisation.objects.filter(pk=cast.org_a.pk)  # (org A's events only)
    page = signed_in(cast.dpo_a).get(reverse("protection:audit_log"),
                                     {"organisation": cast.org_a.pk})
    html = page.content.decode()
    assert "Child: no" in html
    assert "False" not in html and "[&#x27;" not in html and "{&#x27;" not in html


def test_the_action_filter_lists_words_and_the_subject_filter_takes_a_reference(cast):
    case = open_case(cast)
    other = open_case(cast, "Ion", "Ceban")
    client = signed_in(cast.dpo_a)
    url = reverse("protection:audit_log")
    page = client.get(url, {"organisation": cast.org_a.pk})
    choices = dict(page.context["form"].fields["action"].choices)
    assert choices["cases.case.opened"] == "Case opened"
    page = client.get(url, {"organisation": cast.org_a.pk, "subject": case.reference})
    texts = [str(row["sentence"]) for row in page.context["rows"]]
    assert texts and all(case.reference in t or "person" in t for t in texts)
    assert not any(other.reference in t for t in texts)


def test_a_reference_nothing_has_is_said_on_the_field(cast):
    open_case(cast)
    page = signed_in(cast.dpo_a).get(reverse("protection:audit_log"),
                                     {"organisation": cast.org_a.pk, "subject": "C-NOPE"})
    assert "C-NOPE" in page.context["form"].errors["subject"][0]
    assert page.context["rows"] == []


def test_the_audit_log_downloads_as_a_formula_safe_csv_and_the_download_is_recorded(cast):
    open_case(cast)
    cast.caseworker_a.full_name = "=HYPERLINK(\"http://evil\")"
    cast.caseworker_a.save(update_fields=["full_name"])
    response = signed_in(cast.dpo_a).get(reverse("protection:audit_log"),
                                         {"organisation": cast.org_a.pk, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert rows[0][:3] == ["When", "Who", "What happened"]
    who = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in who
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert AuditEvent.objects.filter(action="protection.audit_log.exported",
                                     actor=cast.dpo_a).exists()


@pytest.mark.parametrize("who", ["caseworker_a", "supervisor_a", "admin_b", "outsider"])
def test_nobody_else_reads_or_downloads_the_audit_log(cast, who):
    client = signed_in(getattr(cast, who))
    url = reverse("protection:audit_log")
    assert client.get(url, {"organisation": cast.org_a.pk}).status_code == 404
    assert client.get(url, {"organisation": cast.org_a.pk, "format": "csv"}).status_code == 404


# --- the access log --------------------------------------------------------------------------------

def test_a_supervisor_opening_a_list_of_15_cases_is_one_entry_with_15_persons(cast):
    opened = [open_case(cast, f"Name{i}", "Surname") for i in range(15)]
    signed_in(cast.supervisor_a).get(reverse("cases:list"), {"organisation": cast.org_a.pk})
    assert AccessLogEntry.objects.filter(user=cast.supervisor_a).count() == 15
    page = signed_in(cast.dpo_a).get(reverse("protection:access_log"),
                                     {"organisation": cast.org_a.pk, "user": cast.supervisor_a.pk})
    rows = page.context["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert row["sentence"] == f"{cast.supervisor_a.full_name} opened the case list"
    assert row["count"] == 15
    references = {ref for ref, _pk in row["persons"]}
    assert references == {c.subject.reference for c in opened}
    html = page.content.decode()
    assert raw_codes(html) == []  # no "cases:list (ui)"
    assert "15 persons:" in html
    assert reverse("protection:subject", args=[opened[0].subject_id]) in html


def test_the_access_log_filters_by_what_when_and_subject(cast):
    first = open_case(cast)
    second = open_case(cast, "Ion", "Ceban")
    supervisor = signed_in(cast.supervisor_a)
    supervisor.get(reverse("cases:list"), {"organisation": cast.org_a.pk})
    supervisor.get(reverse("cases:detail", args=[second.pk]))
    client = signed_in(cast.dpo_a)
    url = reverse("protection:access_log")
    page = client.get(url, {"organisation": cast.org_a.pk, "screen": "cases:detail"})
    assert [r["sentence"] for r in page.context["rows"]] == [
        f"{cast.supervisor_a.full_name} opened a case"]
    choices = dict(page.context["form"].fields["screen"].choices)
    assert choices["cases:list"] == "Someone opened the case list"
    page = client.get(url, {"organisation": cast.org_a.pk, "subject": first.reference})
    assert page.context["rows"] and all(
        {ref for ref, _pk in r["persons"]} == {first.subject.reference}
        for r in page.context["rows"])
    page = client.get(url, {"organisation": cast.org_a.pk, "since": "2000-01-01",
                            "until": "2000-01-02"})
    assert page.context["rows"] == []
    page = client.get(url, {"organisation": cast.org_a.pk, "since": "2026-05-02",
                            "until": "2026-05-01"})
    assert page.context["form"].errors["until"]


def test_the_access_log_downloads_grouped_as_csv(cast):
    for i in range(3):
        open_case(cast, f"Name{i}", "Surname")
    signed_in(cast.supervisor_a).get(reverse("cases:list"), {"organisation": cast.org_a.pk})
    response = signed_in(cast.dpo_a).get(reverse("protection:access_log"), {
        "organisation": cast.org_a.pk, "user": cast.supervisor_a.pk, "format": "csv"})
    rows = rows_of(response)
    assert rows[0] == ["When", "Who", "What happened", "How", "Persons", "Number of persons",
                       "Unusual"]
    assert len(rows) == 2 and rows[1][2].endswith("opened the case list") and rows[1][5] == "3"
    assert rows[1][3] == "on screen"
    assert AuditEvent.objects.filter(action="protection.access_log.exported").exists()


@pytest.mark.parametrize("who", ["caseworker_a", "admin_a", "supervisor_a", "outsider"])
def test_only_the_data_protection_officer_reads_the_access_log(cast, who):
    client = signed_in(getattr(cast, who))
    url = reverse("protection:access_log")
    assert client.get(url, {"organisation": cast.org_a.pk}).status_code == 404
    assert client.get(url, {"organisation": cast.org_a.pk, "format": "csv"}).status_code == 404


def _queries(client, url, params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_the_logs_cost_the_same_number_of_queries_for_one_entry_or_many(cast):
    """Objects and persons are described a page at a time: a page of 30 lines asks the database
    no more often than a page of one."""
    client = signed_in(cast.dpo_a)
    params = {"organisation": cast.org_a.pk}
    first = open_case(cast)
    signed_in(cast.supervisor_a).get(reverse("cases:detail", args=[first.pk]))
    audit_one = _queries(client, reverse("protection:audit_log"), params)
    access_one = _queries(client, reverse("protection:access_log"), params)
    for i in range(15):
        case = open_case(cast, f"Name{i}", "Surname")
        signed_in(cast.supervisor_a).get(reverse("cases:detail", args=[case.pk]))
    signed_in(cast.supervisor_a).get(reverse("cases:list"), {"organisation": cast.org_a.pk})
    assert _queries(client, reverse("protection:audit_log"), params) <= audit_one
    assert _queries(client, reverse("protection:access_log"), params) <= access_one
