"""Who may open a person's page, what they see, and that every view of personal data is logged."""

import pytest
from django.urls import reverse

from bridgeway.protection import access
from bridgeway.protection.models import AccessLogEntry
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who,status", [
    ("caseworker_a", 200), ("supervisor_a", 200), ("dpo_a", 200),
    ("admin_a", 404), ("caseworker_b", 404), ("agency_poc", 404), ("coordinator", 404),
    ("outsider", 404), ("platform_admin", 404),
])
def test_person_page_is_for_case_roles_and_dpo_of_the_organisation(cast, subject_a, who, status):
    response = signed_in(getattr(cast, who)).get(reverse("protection:subject", args=[subject_a.pk]))
    assert response.status_code == status
    if status == 404:
        assert "Коваленко" not in response.content.decode()


def test_caseworker_sees_the_name_and_the_view_is_logged(cast, subject_a):
    response = signed_in(cast.caseworker_a).get(reverse("protection:subject", args=[subject_a.pk]))
    assert "Олена Коваленко" in response.content.decode()
    entry = AccessLogEntry.objects.get(user=cast.caseworker_a, subject=subject_a)
    assert entry.screen == "protection:subject" and entry.via == "ui" and entry.flags == []


def test_dpo_sees_metadata_not_the_name_and_nothing_is_decrypted(cast, subject_a):
    response = signed_in(cast.dpo_a).get(reverse("protection:subject", args=[subject_a.pk]))
    assert subject_a.reference in response.content.decode()
    assert "Коваленко" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=cast.dpo_a).exists()


def test_list_and_name_search_through_blind_indexes(cast, subject_a, monkeypatch):
    from bridgeway.protection import views
    from bridgeway.protection.search import SESSION_KEY
    from bridgeway.protection.services import subject_create

    subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name="Ion Popescu")
    client = signed_in(cast.caseworker_a)
    url = reverse("protection:subjects")
    found = client.post(url, {"q": "Olena Kovalenko", "fuzzy": "on"})
    # Answered by the POST itself: no redirect, kept from caches, the name in no URL or session.
    assert found.status_code == 200 and "Location" not in found.headers
    assert "no-store" in found.headers["Cache-Control"]
    assert [s.pk for s in found.context["page"].object_list] == [subject_a.pk]
    # One page of results: nothing to remember for later pages, so nothing is kept at all.
    assert SESSION_KEY not in client.session and "search=" not in found.context["pager_query"]
    exact = client.post(url, {"q": "Olena"})
    assert list(exact.context["page"].object_list) == []  # exact word match: script differs
    exact = client.post(url, {"q": "олена"})
    assert [s.pk for s in exact.context["page"].object_list] == [subject_a.pk]
    # Org B's caseworker cannot find A's person, even by name.
    other = signed_in(cast.caseworker_b).post(url, {"q": "Olena Kovalenko", "fuzzy": "on"})
    assert list(other.context["page"].object_list) == []

    # More than a page: the later pages follow a token; the session keeps digests, not the name.
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    second = subject_create(org=cast.org_a, actor=cast.caseworker_a,
                            display_name="Olena Kovalenko")
    found = client.post(url, {"q": "Olena Kovalenko", "fuzzy": "on"})
    token_query = found.context["pager_query"]
    assert "Olena" not in token_query and "search=" in token_query
    kept = str(dict(client.session))
    assert "Olena" not in kept and str(subject_a.pk) not in kept and str(second.pk) not in kept
    page_two = client.get(f"{url}?{token_query}&page=2")
    assert {s.pk for s in found.context["page"].object_list} | {
        s.pk for s in page_two.context["page"].object_list} == {subject_a.pk, second.pk}
    # A search token from another session or organisation matches nobody.
    stolen = signed_in(cast.caseworker_b).get(f"{url}?{token_query}".replace(
        f"organisation={cast.org_a.pk}", f"organisation={cast.org_b.pk}"))
    assert list(stolen.context["page"].object_list) == []
    colleague = signed_in(cast.caseworker_a).get(f"{url}?{token_query}")
    assert list(colleague.context["page"].object_list) == []


def test_unusual_access_is_flagged(cast, subject_a, subject_b, settings):
    access.record(cast.caseworker_a, [subject_b], screen="test", via="ui")
    entry = AccessLogEntry.objects.get(user=cast.caseworker_a, subject=subject_b)
    assert entry.flags == ["outside_organisation"]
    settings.BRIDGEWAY_ACCESS_BURST = 1
    from bridgeway.protection.services import subject_create

    another = subject_create(org=cast.org_a, actor=cast.caseworker_a, display_name="Anna")
    client = signed_in(cast.caseworker_a)
    client.get(reverse("protection:subjects"))
    burst = AccessLogEntry.objects.filter(user=cast.caseworker_a, subject=another).latest("at")
    assert "many_subjects" in burst.flags
    page = signed_in(cast.dpo_a).get(reverse("protection:access_log"), {"flagged": "on"})
    assert all(row["flags"] for row in page.context["rows"])
    assert len(page.context["rows"]) >= 1


@pytest.mark.parametrize("who,status", [("dpo_a", 200), ("caseworker_a", 404), ("admin_a", 404),
                                        ("caseworker_b", 404)])
def test_access_log_and_retention_screens_are_for_dpos(cast, who, status):
    client = signed_in(getattr(cast, who))
    assert client.get(reverse("protection:access_log")).status_code == status
    assert client.get(reverse("protection:retention")).status_code == status


@pytest.mark.parametrize("who,status", [("dpo_a", 200), ("admin_a", 200), ("caseworker_a", 404),
                                        ("outsider", 404)])
def test_keys_screen(cast, who, status):
    response = signed_in(getattr(cast, who)).get(reverse("protection:keys"))
    assert response.status_code == status
    if status == 200:
        assert "test-1" in response.content.decode()


def test_api_consents_hide_witness_names_and_answer_the_check(cast, subject_a):
    import datetime as dt

    from rest_framework.test import APIClient

    from bridgeway.accounts.services import api_token_create
    from bridgeway.protection.services import consent_record

    consent_record(subject=subject_a, actor=cast.caseworker_a, purpose="referral",
                   method="oral_witnessed", given_on=dt.date(2026, 1, 5),
                   witness_or_guardian="Ana Witness")
    _t, secret = api_token_create(user=cast.caseworker_a, name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get(f"/api/v1/persons/{subject_a.pk}/consents/")
    assert response.status_code == 200
    assert "Ana Witness" not in response.content.decode()  # write-only
    assert client.get(f"/api/v1/persons/{subject_a.pk}/consent-check/?purpose=referral"
                      ).json()["allowed"] is True
