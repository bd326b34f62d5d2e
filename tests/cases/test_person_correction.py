"""Correcting the person after intake: names (with their blind index), date of birth or age (the
child flag follows), contact details, address and identity documents; the intake's bad-input
rules; no lost updates; an audit event naming fields only; outsiders get 404."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from bridgeway.cases.models import Case, Person
from bridgeway.protection.models import AuditEvent, SubjectIndex
from bridgeway.protection.queries import possible_duplicates, subjects_by_identifier
from tests.cases.conftest import new_case
from tests.cases.test_conflicts import conflict_rows, hidden
from tests.conftest import api, signed_in
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db

DENIED = ["caseworker_b", "agency_poc", "coordinator", "outsider", "dpo_a"]


@pytest.fixture
def case(cast):
    return new_case(cast, opened_on=dt.date(2025, 1, 10), exploitation_types=(),
                    phone="+37360000001")


def form_post(page: str, **changes) -> dict:
    """Every input of the correction form as the browser would send it, with `changes`."""
    post = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) != "csrfmiddlewaretoken":
            post[name.group(1)] = value.group(1) if value else ""
    for select in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select[1])
        post[select[0]] = chosen.group(1) if chosen else ""
    post.update(changes)
    return post


def person(case) -> Person:
    row = Person.objects.select_related("subject").get(case=case)
    return row


def test_caseworker_corrects_name_dob_and_contact_details_on_the_screen(cast, case):
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:person_edit", args=[case.pk])
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert url in detail
    page = client.get(url).content.decode()
    assert 'value="Ana"' in page
    response = client.post(url, form_post(
        page, first_name="Anna", second_name="Popescu", birth_date="2010-05-05",
        email="anna@example.org", phone="+37360000002", address_city="Chișinău",
        address_country="MD", document_kind_1="passport", document_number_1="AB123"),
        follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "now a child" in text
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.is_child and fresh.age_at_intake == 14 and fresh.version == case.version + 1
    row = person(case)
    assert (row.first_name, row.second_name, row.email) == ("Anna", "Popescu", "anna@example.org")
    assert row.address["city"] == "Chișinău" and row.address["country"] == "MD"
    assert row.identity_documents == [{"kind": "passport", "number": "AB123"}]
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Chișinău, Moldova" in detail and "Passport AB123" in detail
    assert fresh.subject.display_name == "Anna Popescu"
    # The blind indexes follow: the new name and phone are found, the old ones no longer.
    assert fresh.subject in possible_duplicates(cast.org_a, "Anna Popescu")
    assert fresh.subject not in possible_duplicates(cast.org_a, "Ana Pop")
    assert list(subjects_by_identifier(cast.org_a, "phone", "+37360000002")) == [fresh.subject]
    assert not subjects_by_identifier(cast.org_a, "phone", "+37360000001").exists()
    event = AuditEvent.objects.get(action="cases.person.corrected")
    payload = json.dumps(event.payload)
    assert "birth_date" in event.payload["fields"] and "first_name" in event.payload["fields"]
    for secret in ("Anna", "Popescu", "2010", "anna@", "AB123", "Chi"):
        assert secret not in payload


@pytest.mark.parametrize("changes,field", [
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"birth_date": "2000-05-05", "age": "40"}, "age"),
    ({"first_name": ""}, "first_name"),
    ({"email": "not-an-address"}, "email"),
    ({"document_kind_1": "passport", "document_number_1": ""}, "document_number_1"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, case, changes, field):
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:person_edit", args=[case.pk])
    page = client.get(url).content.decode()
    before = (Case.objects.get(pk=case.pk).version, AuditEvent.objects.count(),
              SubjectIndex.objects.count())
    response = client.post(url, form_post(page, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert (Case.objects.get(pk=case.pk).version, AuditEvent.objects.count(),
            SubjectIndex.objects.count()) == before
    assert person(case).first_name == "Ana" and person(case).birth_date == dt.date(2000, 5, 5)


def test_second_save_conflicts_then_saving_again_applies_my_values(cast, case):
    url = reverse("cases:person_edit", args=[case.pk])
    first, second = signed_in(cast.caseworker_a), signed_in(cast.supervisor_a)
    page_a, page_b = first.get(url).content.decode(), second.get(url).content.decode()
    assert first.post(url, form_post(page_a, phone="+37360000009", gender="Feminine")) \
        .status_code == 302
    response = second.post(url, form_post(page_b, first_name="Ann"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this case" in html
    assert conflict_rows(html) == [
        ["Gender", "Female", "not changed by you: their value is kept"],
        ["Phone", "+37360000009", "not changed by you: their value is kept"]]
    assert person(case).first_name == "Ana" and person(case).phone == "+37360000009"
    assert hidden(html, "version") == [str(Case.objects.get(pk=case.pk).version)]
    # What the second person had not touched now holds the first person's values.
    assert "their value is kept" in html and 'value="+37360000009"' in html
    again = second.post(url, form_post(html))
    assert again.status_code == 302
    row = person(case)
    assert row.first_name == "Ann" and row.phone == "+37360000009"
    assert Case.objects.get(pk=case.pk).gender == "Feminine"


@pytest.mark.parametrize("who", DENIED)
def test_others_get_404_and_change_nothing(cast, case, who):
    url = reverse("cases:person_edit", args=[case.pk])
    client = signed_in(getattr(cast, who))
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": case.version, "first_name": "X"}).status_code == 404
    assert api(getattr(cast, who)).patch(f"/api/v1/cases/{case.pk}/person/", {
        "version": case.version, "data": {"first_name": "X"}}, format="json").status_code == 404
    assert person(case).first_name == "Ana"


def test_same_org_caseworker_not_on_the_case_gets_404(cast, case):
    colleague = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(colleague)
    assert signed_in(colleague).get(reverse("cases:person_edit", args=[case.pk])) \
        .status_code == 404
    # A supervisor sees all of the organisation's cases and may correct.
    assert signed_in(cast.supervisor_a).get(reverse("cases:person_edit", args=[case.pk])) \
        .status_code == 200


def test_api_reads_and_corrects_the_person(cast, case):
    client = api(cast.caseworker_a)
    url = f"/api/v1/cases/{case.pk}/person/"
    read = client.get(url).json()
    assert read["first_name"] == "Ana" and read["birth_date"] == "2000-05-05"
    assert read["version"] == case.version and read["is_child"] is False
    response = client.patch(url, {"version": read["version"], "data": {
        "birth_date": "2012-01-01", "second_name": "Popa",
        "address": {"city": "Iași", "country": "RO"},
        "identity_documents": [{"kind": "national_id", "number": "123"}]}}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["child_changed"] is True and body["is_child"] is True
    assert sorted(body["corrected"]) == ["address", "age", "birth_date", "identity_documents",
                                        "second_name"]
    assert Case.objects.get(pk=case.pk).subject.display_name == "Ana Popa"
    # Age instead of a date of birth: an adult again.
    back = client.patch(url, {"version": body["version"],
                              "data": {"birth_date": None, "age": 30}}, format="json")
    assert back.status_code == 200 and back.json()["is_child"] is False
    assert back.json()["child_changed"] is True


@pytest.mark.parametrize("data,field", [
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"birth_date": "2000-05-05", "age": 40}, "age"),
    ({"first_name": ""}, "first_name"),
    ({"citizenship": "XX"}, "citizenship"),
    ({"email": "nope"}, "email"),
    ({"identity_documents": [{"kind": "tattoo", "number": "1"}]}, "identity_documents"),
    ({"address": {"country": "ZZ"}}, "address"),
    ({"name": "Someone"}, "name"),
    ({"address": {"planet": "Mars"}}, "planet"),
])
def test_api_bad_input_names_the_field_and_writes_nothing(cast, case, data, field):
    client = api(cast.caseworker_a)
    before = (Case.objects.get(pk=case.pk).version, AuditEvent.objects.count())
    response = client.patch(f"/api/v1/cases/{case.pk}/person/", {
        "version": case.version, "data": data}, format="json")
    assert response.status_code == 400
    assert field in json.dumps(response.json())
    assert (Case.objects.get(pk=case.pk).version, AuditEvent.objects.count()) == before
    assert person(case).first_name == "Ana"


def test_api_conflict_then_save_with_the_current_version(cast, case):
    url = f"/api/v1/cases/{case.pk}/person/"
    assert api(cast.caseworker_a).patch(url, {"version": case.version,
                                              "data": {"phone": "+40700000000"}},
                                        format="json").status_code == 200
    stale = api(cast.supervisor_a).patch(url, {
        "version": case.version, "seen": {"phone": "+37360000001"},
        "data": {"first_name": "Ann"}}, format="json")
    assert stale.status_code == 409
    assert stale.json()["changed"] == ["phone"]
    assert stale.json()["changes"][0]["label"] == "Phone"
    assert person(case).first_name == "Ana"
    ok = api(cast.supervisor_a).patch(url, {"version": stale.json()["version"],
                                            "data": {"first_name": "Ann"}}, format="json")
    assert ok.status_code == 200 and person(case).first_name == "Ann"
