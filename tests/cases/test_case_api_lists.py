"""The API case list: the screen's filters, bad filters named, name search without the name in
a URL, and the possible-duplicate warning at intake."""

import datetime as dt

import pytest

from bridgeway.cases import services
from bridgeway.cases.models import Case
from tests.conftest import api
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


def _open(cast, first, second, *, org=None, actor=None, opened_on=None, child=False,
          exploitation=("ForcedLabour",)):
    birth = dt.date(2012, 1, 1) if child else dt.date(1990, 5, 5)
    return services.case_open(
        org=org or cast.org_a, actor=actor or cast.caseworker_a, opened_on=opened_on,
        exploitation_types=list(exploitation),
        person=services.PersonData(first_name=first, second_name=second, birth_date=birth))


@pytest.fixture
def world(cast):
    """Three cases of org A (one assigned to a colleague), one of org B."""
    colleague = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(colleague)
    mine = _open(cast, "Olena", "Kovalenko", opened_on=dt.date(2025, 3, 1))
    child = _open(cast, "Maria", "Ceban", opened_on=dt.date(2025, 9, 1), child=True,
                  exploitation=("SexualExploitation",))
    theirs = _open(cast, "Olena", "Kovalenko-Bondar", actor=colleague,
                   opened_on=dt.date(2025, 6, 1))
    other_org = _open(cast, "Olena", "Kovalenko", org=cast.org_b, actor=cast.caseworker_b)
    return {"colleague": colleague, "mine": mine, "child": child, "theirs": theirs,
            "other_org": other_org}


def _refs(response):
    assert response.status_code == 200, response.json()
    return sorted(row["reference"] for row in response.json()["results"])


def test_list_filters_like_the_screen(cast, world):
    client = api(cast.supervisor_a)
    assert _refs(client.get("/api/v1/cases/")) == sorted(
        c.reference for c in (world["mine"], world["child"], world["theirs"]))
    assert _refs(client.get("/api/v1/cases/", {"assignee": world["colleague"].pk})) == [
        world["theirs"].reference]
    assert _refs(client.get("/api/v1/cases/", {"opened_from": "2025-05-01",
                                               "opened_to": "2025-07-01"})) == [
        world["theirs"].reference]
    assert _refs(client.get("/api/v1/cases/", {"child": "true"})) == [world["child"].reference]
    assert _refs(client.get("/api/v1/cases/", {"exploitation": "SexualExploitation"})) == [
        world["child"].reference]
    assert _refs(client.get("/api/v1/cases/", {"organisation": cast.org_a.pk,
                                               "status": "Active", "child": "false"})) == sorted(
        c.reference for c in (world["mine"], world["theirs"]))


@pytest.mark.parametrize("param,value", [
    ("status", "Bogus"), ("assignee", "999999"), ("assignee", "abc"),
    ("opened_from", "2025-13-45"), ("opened_to", "yesterday"), ("exploitation", "Farming"),
    ("child", "maybe"), ("organisation", "999999")])
def test_a_bad_filter_is_a_400_naming_the_parameter(cast, world, param, value):
    response = api(cast.supervisor_a).get("/api/v1/cases/", {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_assignee_of_another_organisation_and_a_reversed_period_are_refused(cast, world):
    client = api(cast.supervisor_a)
    response = client.get("/api/v1/cases/", {"assignee": cast.caseworker_b.pk})
    assert response.status_code == 400 and "assignee" in response.json()
    response = client.get("/api/v1/cases/", {"opened_from": "2025-07-01",
                                             "opened_to": "2025-05-01"})
    assert response.status_code == 400 and "opened_to" in response.json()


def search(client, **body):
    return client.post("/api/v1/cases/search/", body, format="json")


def test_name_search_exact_and_fuzzy_in_the_body_not_cached(cast, world):
    client = api(cast.supervisor_a)
    exact = search(client, name="kovalenko BONDAR", fuzzy=False)
    assert _refs(exact) == [world["theirs"].reference]
    assert "no-store" in exact["Cache-Control"]
    assert _refs(search(client, name="Olena Kowalenko", fuzzy=False)) == []
    # By sound: a misspelling finds both Kovalenkos of org A, never org B's.
    fuzzy = search(client, name="Olena Kowalenko")
    assert _refs(fuzzy) == sorted([world["mine"].reference, world["theirs"].reference])
    assert fuzzy.json()["results"][0]["name"].startswith("Olena")
    # The filters apply to a search too.
    assert _refs(search(client, name="Olena Kowalenko",
                        assignee=world["colleague"].pk)) == [world["theirs"].reference]
    assert _refs(search(client, name="Nobody Known")) == []


def test_name_search_is_paginated(cast, world, monkeypatch):
    from rest_framework.pagination import PageNumberPagination

    for _ in range(3):
        services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                           person=services.PersonData(first_name="Ion", second_name="Rusu",
                                                      age=30))
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    client = api(cast.supervisor_a)
    first = search(client, name="Ion Rusu")
    second = client.post("/api/v1/cases/search/?page=2", {"name": "Ion Rusu"}, format="json")
    assert first.json()["count"] == 3 and len(first.json()["results"]) == 2
    assert first.json()["next"] and "Rusu" not in first.json()["next"]
    assert len(second.json()["results"]) == 1


def test_name_search_sees_only_what_the_caller_may(cast, world):
    # A caseworker finds the case assigned to her, not her colleague's.
    assert _refs(search(api(cast.caseworker_a), name="Olena Kovalenko")) == [
        world["mine"].reference]
    # Another organisation's caseworker finds only her own organisation's.
    assert _refs(search(api(cast.caseworker_b), name="Olena Kovalenko")) == [
        world["other_org"].reference]
    for who in ("outsider", "agency_poc", "coordinator", "dpo_a"):
        assert _refs(search(api(getattr(cast, who)), name="Olena Kovalenko")) == [], who


def test_name_search_bad_input_is_named(cast, world):
    client = api(cast.supervisor_a)
    response = search(client)
    assert response.status_code == 400 and "name" in response.json()
    response = search(client, name="Olena", status="Bogus")
    assert response.status_code == 400 and "status" in response.json()
    assert client.get("/api/v1/cases/search/").status_code == 405


def _intake(client, org, first="Olena", second="Kovalenko", **extra):
    return client.post("/api/v1/cases/", {
        "organisation": org.pk, "person": {"first_name": first, "second_name": second,
                                           "birth_date": "1991-02-03"},
        "exploitation_types": ["ForcedLabour"], **extra}, format="json")


def test_intake_warns_of_possible_duplicates_and_writes_nothing(cast, world):
    before = Case.objects.count()
    response = _intake(api(cast.caseworker_a), cast.org_a, second="Kowalenko")
    assert response.status_code == 409
    body = response.json()
    # Her own case is named; her colleague's is only counted; no names at all.
    assert body["possible_duplicates"] == [{"id": str(world["mine"].pk),
                                            "reference": world["mine"].reference}]
    assert body["others"] == 1
    assert "Olena" not in response.content.decode()
    assert Case.objects.count() == before
    confirmed = _intake(api(cast.caseworker_a), cast.org_a, second="Kowalenko",
                        confirm_new=True)
    assert confirmed.status_code == 201
    assert Case.objects.count() == before + 1


def test_intake_duplicates_stay_within_the_organisation(cast, world):
    # Org B's own Kovalenko is a duplicate there; org A's two are not mentioned to org B.
    response = _intake(api(cast.caseworker_b), cast.org_b)
    assert response.status_code == 409
    assert response.json()["possible_duplicates"] == [
        {"id": str(world["other_org"].pk), "reference": world["other_org"].reference}]
    assert response.json()["others"] == 0
    # A new name is opened straight away.
    assert _intake(api(cast.caseworker_b), cast.org_b, first="Andrii",
                   second="Shevchuk").status_code == 201


def test_the_schema_documents_search_and_filters(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/cases/search/" in schema
    for name in ("opened_from", "opened_to", "assignee", "confirm_new"):
        assert name in schema


def test_intake_counts_only_the_duplicates_the_caller_may_not_open(cast, world):
    """A matching person held by no case is the caller's to see: not counted as hidden."""
    from bridgeway.protection.services import subject_create

    subject_create(org=cast.org_a, actor=cast.supervisor_a, display_name="Olena Kovalenko")
    response = _intake(api(cast.caseworker_a), cast.org_a, second="Kowalenko")
    assert response.status_code == 409
    assert response.json()["others"] == 1  # the colleague's case only, as before


def test_a_match_hidden_from_the_caller_is_in_the_audit_log_without_a_name(cast, world):
    """The warning tells a caseworker that someone with a similar name is assisted in a
    colleague's case; asking is recorded (a count, no name), on the screen and through the
    API. A supervisor, who sees every case, leaves no such entry."""
    from django.urls import reverse

    from bridgeway.protection.models import AuditEvent
    from tests.conftest import signed_in

    def entries():
        return list(AuditEvent.objects.filter(action="cases.intake.unnamed_match")
                    .values_list("actor_id", "payload"))

    assert _intake(api(cast.caseworker_a), cast.org_a, second="Kowalenko").status_code == 409
    assert entries() == [(cast.caseworker_a.pk, {"count": 1})]
    page = signed_in(cast.caseworker_a).post(
        reverse("cases:intake") + f"?organisation={cast.org_a.pk}",
        {"first_name": "Olena", "second_name": "Kowalenko", "birth_date": "1991-02-03",
         "opened_on": "2025-01-10"})
    assert page.status_code == 400
    assert entries() == [(cast.caseworker_a.pk, {"count": 1})] * 2
    assert "Olena" not in str(AuditEvent.objects.filter(
        action="cases.intake.unnamed_match").values_list("payload", flat=True))
    assert _intake(api(cast.supervisor_a), cast.org_a, second="Kowalenko").status_code == 409
    assert len(entries()) == 2
