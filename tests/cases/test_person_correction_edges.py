"""Edges of correcting the person found in review: what a client says it read may be malformed,
a new date of birth must not come after what the case records, and removing the date of birth
must not silently end the child rules. Also: approval after a transfer, and closing while a
referral is being sent."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import set_for
from bridgeway.cases.models import Case, CaseSettings, Decision
from tests.cases.conftest import new_case
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return new_case(cast, opened_on=dt.date(2025, 1, 10), exploitation_types=(),
                    birth_date=dt.date(2010, 5, 5))


def url(case):
    return f"/api/v1/cases/{case.pk}/person/"


@pytest.mark.parametrize("seen", [{"address": "x"}, {"identity_documents": ["x"]},
                                  {"identity_documents": "abc"}, {"address": ["a"]}])
def test_a_stale_correction_with_a_malformed_seen_is_a_conflict_not_a_server_error(cast, case,
                                                                                    seen):
    client = api(cast.caseworker_a)
    assert client.patch(url(case), {"version": case.version,
                                    "data": {"phone": "+40700000000"}},
                        format="json").status_code == 200
    response = client.patch(url(case), {"version": case.version, "seen": seen,
                                        "data": {"first_name": "Maria"}}, format="json")
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).person.first_name == "Ana"


def test_a_date_of_birth_after_what_the_case_records_is_refused(cast, case):
    services.event_add(case=case, actor=cast.caseworker_a, kind="recruitment",
                       date_from=dt.date(2024, 6, 1))
    version = Case.objects.get(pk=case.pk).version
    response = api(cast.caseworker_a).patch(url(case), {
        "version": version, "data": {"birth_date": "2024-12-01"}}, format="json")
    assert response.status_code == 400
    assert "before this date of birth" in str(response.json()["birth_date"])
    assert Case.objects.get(pk=case.pk).person.birth_date == dt.date(2010, 5, 5)
    # The same on the screen, at the field.
    page = signed_in(cast.caseworker_a).post(reverse("cases:person_edit", args=[case.pk]), {
        "version": version, "first_name": "Ana", "second_name": "Pop",
        "birth_date": "2024-12-01"})
    assert page.status_code in (400, 409) and "before this date of birth" in \
        page.content.decode()
    # An earlier date of birth is fine.
    assert api(cast.caseworker_a).patch(url(case), {
        "version": version, "data": {"birth_date": "2009-05-05"}},
        format="json").status_code == 200


def test_removing_the_date_of_birth_keeps_the_age_and_the_child_rules(cast, case):
    before = Case.objects.get(pk=case.pk)
    assert before.is_child and before.age_at_intake == 14
    response = api(cast.caseworker_a).patch(url(case), {
        "version": before.version, "data": {"birth_date": None}}, format="json")
    assert response.status_code == 200
    after = Case.objects.get(pk=case.pk)
    assert after.person.birth_date is None
    assert after.is_child and after.age_at_intake == 14
    # Giving an adult age on purpose does change it.
    response = api(cast.caseworker_a).patch(url(case), {
        "version": after.version, "data": {"age": 19}}, format="json")
    assert response.status_code == 200 and not Case.objects.get(pk=case.pk).is_child


def test_after_a_transfer_the_new_organisations_supervisor_reviews_a_pending_decision(cast):
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Ion",
                                                         birth_date=dt.date(1990, 1, 1)))
    CaseSettings.objects.create(organisation=cast.org_a, decisions_need_approval=True)
    assessment = services.assessment_record(case=case, actor=cast.caseworker_a,
                                            indicator_set=set_for(child=False, sexual=False),
                                            entries=[])
    pending = services.decision_record(case=case, actor=cast.caseworker_a,
                                       assessment=assessment,
                                       status="PossibleVictimOfTrafficking")
    assert pending.state == Decision.State.AWAITING_APPROVAL
    Case.objects.filter(pk=case.pk).update(organisation=cast.org_b)  # as a transfer leaves it
    supervisor_b = _supervisor_of(cast.org_b)
    with pytest.raises(PermissionDenied):
        services.decision_approve(decision=pending, actor=cast.supervisor_a)
    services.decision_approve(decision=pending, actor=supervisor_b)
    assert Decision.objects.get(pk=pending.pk).state == Decision.State.IN_FORCE


def _supervisor_of(org):
    from tests.conftest import _member

    return _member(org, "supervisor")
