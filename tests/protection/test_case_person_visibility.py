"""A person who belongs to a case is reachable through the protection screens and the API only by
those who see the case: its assigned caseworkers and the organisation's supervisors (the data
protection officer keeps reference-only metadata). A caseworker of the same organisation who is
not assigned, like any outsider, gets a 404 that reveals nothing, and the persons list and name
search do not show the person to them, not even as a count."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from bridgeway.accounts.services import api_token_create
from bridgeway.cases import services as cases
from bridgeway.cases.models import Case
from bridgeway.protection import services
from bridgeway.protection.models import AccessLogEntry, Consent, EncryptedDocument, ErasureRequest
from tests.conftest import signed_in
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
ALLOWED = ["caseworker_a", "supervisor_a"]
REFUSED = ["colleague", "caseworker_b", "coordinator", "agency_poc", "outsider"]
EVERYONE = ALLOWED + REFUSED


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def colleague(cast):
    """A caseworker of the case's organisation who is not assigned to it."""
    user = MembershipFactory(organisation=cast.org_a, role="caseworker").user
    with_totp(user)
    return user


@pytest.fixture
def case(cast):
    return cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                           person=cases.PersonData(first_name="Тетяна", second_name="Бондар",
                                                   birth_date=dt.date(1994, 3, 3)),
                           exploitation_types=["ForcedLabour"])


@pytest.fixture
def consent(cast, case):
    return services.consent_record(subject=case.subject, actor=cast.caseworker_a,
                                   purpose="statistics", method="written",
                                   given_on=dt.date(2026, 1, 5))


@pytest.fixture
def document(cast, case):
    return services.document_upload(subject=case.subject, actor=cast.caseworker_a,
                                    uploaded=SimpleUploadedFile("statement.pdf", PDF))


def _user(cast, colleague, who):
    return colleague if who == "colleague" else getattr(cast, who)


def _api(user) -> APIClient:
    client = APIClient()
    if not user.memberships.exists():  # an outsider cannot hold a token: a signed-in session
        client.force_authenticate(user=user)
        return client
    _t, secret = api_token_create(user=user, name="t")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _unchanged():
    return (Consent.objects.count(), EncryptedDocument.objects.count(),
            ErasureRequest.objects.count(), Consent.objects.filter(withdrawn_at__isnull=False)
            .count())


# --- web screens ------------------------------------------------------------------------------

WEB = {
    "person page": lambda c, s, con, doc: c.get(reverse("protection:subject", args=[s.pk])),
    "consent add": lambda c, s, con, doc: c.post(
        reverse("protection:consent_add", args=[s.pk]),
        {"purpose": "statistics", "method": "written", "given_on": "2026-02-01"}),
    "consent withdraw": lambda c, s, con, doc: c.post(
        reverse("protection:consent_withdraw", args=[s.pk, con.pk])),
    "document upload": lambda c, s, con, doc: c.post(
        reverse("protection:document_add", args=[s.pk]),
        {"file": SimpleUploadedFile("more.pdf", PDF)}),
    "document download": lambda c, s, con, doc: c.get(
        reverse("protection:document_download", args=[s.pk, doc.pk])),
    "erasure request": lambda c, s, con, doc: c.post(
        reverse("protection:erasure_ask", args=[s.pk]), {"reason": "subject_request"}),
}


@pytest.mark.parametrize("path", list(WEB))
@pytest.mark.parametrize("who", EVERYONE)
def test_protection_screens_follow_the_case(cast, case, colleague, consent, document, path, who):
    before = _unchanged()
    client = signed_in(_user(cast, colleague, who))
    response = WEB[path](client, case.subject, consent, document)
    if who in ALLOWED:
        assert response.status_code in (200, 302), (path, who, response.status_code)
        if path == "person page":
            assert "Тетяна Бондар" in response.content.decode()
    else:
        assert response.status_code == 404, (path, who, response.status_code)
        body = b"" if response.streaming else response.content
        assert "Бондар".encode() not in body and case.subject.reference.encode() not in body
        assert case.reference.encode() not in body
        assert _unchanged() == before  # nothing recorded, withdrawn, stored or requested
        assert not AccessLogEntry.objects.filter(user=_user(cast, colleague, who)).exists()


def test_the_data_protection_officer_keeps_metadata_and_the_dpo_only_screens(cast, case,
                                                                              colleague):
    dpo = signed_in(cast.dpo_a)
    page = dpo.get(reverse("protection:subject", args=[case.subject.pk]))
    assert page.status_code == 200 and case.subject.reference in page.content.decode()
    assert "Бондар" not in page.content.decode()
    export = reverse("protection:subject_export", args=[case.subject.pk])
    assert dpo.get(export).status_code == 200
    hold = reverse("protection:legal_hold", args=[case.subject.pk])
    for user in (colleague, cast.caseworker_a, cast.caseworker_b, cast.coordinator):
        assert signed_in(user).get(export).status_code == 404
        assert signed_in(user).post(hold, {"hold": "1"}).status_code == 404


# --- API --------------------------------------------------------------------------------------

API = {
    "consent list": lambda c, s, con, doc: c.get(f"/api/v1/persons/{s.pk}/consents/"),
    "consent add": lambda c, s, con, doc: c.post(
        f"/api/v1/persons/{s.pk}/consents/",
        {"purpose": "statistics", "method": "written", "given_on": "2026-02-01"}, format="json"),
    "consent withdraw": lambda c, s, con, doc: c.post(
        f"/api/v1/persons/{s.pk}/consents/{con.pk}/withdraw/"),
    "consent check": lambda c, s, con, doc: c.get(
        f"/api/v1/persons/{s.pk}/consent-check/?purpose=statistics"),
    "document upload": lambda c, s, con, doc: c.post(
        f"/api/v1/persons/{s.pk}/documents/", {"file": SimpleUploadedFile("more.pdf", PDF)},
        format="multipart"),
    "document download": lambda c, s, con, doc: c.get(
        f"/api/v1/persons/{s.pk}/documents/{doc.pk}/"),
    "erasure request": lambda c, s, con, doc: c.post(
        f"/api/v1/persons/{s.pk}/erasure-requests/", {"reason": "subject_request"},
        format="json"),
}


@pytest.mark.parametrize("path", list(API))
@pytest.mark.parametrize("who", EVERYONE)
def test_person_api_follows_the_case(cast, case, colleague, consent, document, path, who):
    before = _unchanged()
    response = API[path](_api(_user(cast, colleague, who)), case.subject, consent, document)
    if who in ALLOWED:
        assert response.status_code in (200, 201), (path, who, response.status_code)
    else:
        assert response.status_code == 404, (path, who, response.status_code)
        body = b"" if response.streaming else response.content
        assert case.subject.reference.encode() not in body and b"statistics" not in body
        assert _unchanged() == before


# --- persons list, name search, intake duplicates ---------------------------------------------

@pytest.mark.parametrize("who,sees", [("caseworker_a", True), ("supervisor_a", True),
                                      ("colleague", False)])
def test_persons_list_and_name_search_hide_persons_of_cases_one_does_not_see(cast, case,
                                                                             colleague, who,
                                                                             sees):
    own = cases.case_open(org=cast.org_a, actor=colleague,
                          person=cases.PersonData(first_name="Ion", second_name="Rusu"))
    expected = {"caseworker_a": {case.subject_id}, "colleague": {own.subject_id},
                "supervisor_a": {case.subject_id, own.subject_id}}[who]
    client = signed_in(_user(cast, colleague, who))
    url = f"{reverse('protection:subjects')}?organisation={cast.org_a.pk}"
    listed = client.get(url)
    assert {s.pk for s in listed.context["page"].object_list} == expected
    assert listed.context["page"].paginator.count == len(expected)  # the count leaks nobody
    assert ("Бондар" in listed.content.decode()) is sees
    assert (case.subject.reference in listed.content.decode()) is sees
    found = client.post(url, {"q": "Tetiana Bondar", "fuzzy": "on"})
    assert found.status_code == 200
    assert [s.pk for s in found.context["page"].object_list] == ([case.subject_id] if sees
                                                                  else [])
    assert found.context["page"].paginator.count == (1 if sees else 0)
    assert ("Бондар" in found.content.decode()) is sees


def test_dpo_list_shows_every_person_as_a_reference(cast, case):
    listed = signed_in(cast.dpo_a).get(reverse("protection:subjects"))
    assert [s.pk for s in listed.context["page"].object_list] == [case.subject_id]
    assert "Бондар" not in listed.content.decode()


def test_intake_duplicate_warning_names_only_persons_one_may_see(cast, case, colleague):
    data = {"first_name": "Tetiana", "second_name": "Bondar", "birth_date": "1994-03-03"}
    response = signed_in(colleague).post(reverse("cases:intake"), data)
    # Still warned (within the organisation), but not told who or where: ask a supervisor.
    assert response.status_code == 400 and response.context["form"].errors["confirm_new"]
    body = response.content.decode()
    assert "Бондар" not in body and case.subject.reference not in body
    assert Case.objects.count() == 1
    assigned = signed_in(cast.caseworker_a).post(reverse("cases:intake"), data)
    assert assigned.status_code == 400 and case.subject.reference in assigned.content.decode()
    assert "Тетяна Бондар" in assigned.content.decode()


def test_a_person_without_a_case_stays_with_the_organisations_case_roles(cast, colleague):
    loose = services.subject_create(org=cast.org_a, actor=cast.caseworker_a,
                                    display_name="Vasile Lungu")
    url = reverse("protection:subject", args=[loose.pk])
    for user in (colleague, cast.caseworker_a, cast.supervisor_a, cast.dpo_a):
        assert signed_in(user).get(url).status_code == 200
    assert signed_in(cast.caseworker_b).get(url).status_code == 404


def test_colleague_sees_the_person_once_assigned(cast, case, colleague):
    url = reverse("protection:subject", args=[case.subject.pk])
    assert signed_in(colleague).get(url).status_code == 404
    case.assignees.add(colleague)
    assert signed_in(colleague).get(url).status_code == 200


def test_persons_list_query_count_does_not_grow_with_rows(cast, django_assert_max_num_queries):
    for i in range(3):
        cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                        person=cases.PersonData(first_name=f"Anna{i}", second_name="Pop"))
    client = signed_in(cast.caseworker_a)
    url = reverse("protection:subjects")
    client.get(url)
    # 12, plus the menu's counts of the caseworker's home queues (referrals waiting, tasks,
    # unread messages: one statement each) inside one savepoint (two statements, in tests only).
    with django_assert_max_num_queries(12 + 3 + 2) as few:
        client.get(url)
    for i in range(20):
        cases.case_open(org=cast.org_a, actor=cast.caseworker_a,
                        person=cases.PersonData(first_name=f"Petra{i}", second_name="Pop"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_dpo_who_is_also_a_caseworker_sees_no_name_of_a_colleagues_case(cast, case):
    MembershipFactory(organisation=cast.org_a, role="caseworker", user=cast.dpo_a)
    client = signed_in(cast.dpo_a)
    page = client.get(reverse("protection:subject", args=[case.subject.pk]))
    assert page.status_code == 200  # the officer's metadata view
    assert "Бондар" not in page.content.decode()
    listed = client.get(reverse("protection:subjects"))
    assert "Бондар" not in listed.content.decode()
    assert case.subject_id not in {s.pk for s in listed.context["page"].object_list}
    assert not AccessLogEntry.objects.filter(user=cast.dpo_a).exists()
