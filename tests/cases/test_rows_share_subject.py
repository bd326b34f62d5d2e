"""Issue 19 (session 28): the rows of a case (notes, trafficking events, plan objectives) decrypt
with the data subject the page already loaded with the case or the referral, not with one loaded
again per row. The pages show every row's decrypted text, and their statement count stays the
same whether a case has one such row or four."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgeway.cases import services
from tests.conftest import signed_in
from tests.referrals.conftest import give_consent, send

pytestmark = pytest.mark.django_db


def _statements(client, url) -> tuple[int, str]:
    client.get(url)  # the session's once-a-minute save and the menu are not what is counted
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_case_page_notes_cost_no_statement_each(cast, case):
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:detail", args=[case.pk])
    services.note_add(case=case, actor=cast.caseworker_a, body="First visit, note 0")
    one, _html = _statements(client, url)
    for n in range(1, 4):
        services.note_add(case=case, actor=cast.caseworker_a, body=f"First visit, note {n}")
    four, html = _statements(client, url)
    assert four == one
    for n in range(4):
        assert f"First visit, note {n}" in html


@pytest.fixture
def shared_case(cast):
    from bridgeway.orgs.models import OrganisationService

    OrganisationService.objects.create(organisation=cast.police, service="identification")
    opened = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                                person=services.PersonData(first_name="Ana", second_name="Pop"),
                                exploitation_types=["ForcedLabour"])
    give_consent(opened, cast.caseworker_a)
    return opened


def _add_rows(cast, case, numbers):
    for n in numbers:
        services.event_add(case=case, actor=cast.caseworker_a, kind="transit", country="RO",
                           place=f"Bus station {n}")
        services.objective_add(case=case, actor=cast.caseworker_a, objective=f"Objective {n}")


def test_referral_page_shared_rows_cost_no_statement_each(cast, shared_case):
    _add_rows(cast, shared_case, [0])
    referral = send(cast, shared_case, sections=("victim_context", "needs"))
    client = signed_in(cast.agency_poc)  # the recipient: the shared sections are shown
    url = reverse("referrals:detail", args=[referral.pk])
    one, _html = _statements(client, url)
    _add_rows(cast, shared_case, [1, 2, 3])
    four, html = _statements(client, url)
    assert four == one
    for n in range(4):
        assert f"Bus station {n}" in html and f"Objective {n}" in html


def test_field_labels_kept_per_language(db):
    # The case's field names are kept once worked out (cases.words): per language, so a page
    # in English does not leave its words to the next reader in Ukrainian.
    from django.utils import translation

    from bridgeway.core.labels import label

    with translation.override("en"):
        english = [label(f, "cases.field") for f in ("first_name", "trafficking_status")]
    with translation.override("uk"):
        ukrainian = [label(f, "cases.field") for f in ("first_name", "trafficking_status")]
    with translation.override("en"):
        assert [label(f, "cases.field") for f in ("first_name", "trafficking_status")] == english
    assert english[0] == "First name"
    assert ukrainian[0] != english[0] and ukrainian[1] != english[1]
