"""No lost updates under real concurrency (PostgreSQL): two people save the same case at the
same moment with the same version. The first holds the case's row lock until it commits; the
second waits, then sees the new version and gets a conflict. Without the lock the second
would read the old version, pass the check and overwrite the first (SQLite serialises writers
itself, so these run on PostgreSQL only)."""

import datetime as dt

import pytest
from django.db import connection

from bridgeway.cases import services
from bridgeway.cases.models import Case
from tests.cases.conftest import new_case
from tests.concurrency import race


@pytest.fixture
def case(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite serialises writers itself)")
    return new_case(cast, opened_on=dt.date(2025, 1, 10), birth_date=dt.date(1990, 5, 5))


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_context_edits_the_second_gets_a_conflict(cast, case):
    version = case.version
    seen = {"forced_labour_industry": "", "relationship_to_trafficker": ""}
    outcome = race(
        lambda: services.case_update(case=case, actor=cast.caseworker_a, version=version,
                                     data={"forced_labour_industry": "A_AgricultureForestryAndFishing"}, seen=seen),
        lambda: services.case_update(case=case, actor=cast.supervisor_a, version=version,
                                     data={"forced_labour_industry": "C_Manufacturing"},
                                     seen=seen))
    assert outcome["first"] is None
    assert isinstance(outcome["second"], services.EditConflict), outcome
    saved = Case.objects.get(pk=case.pk)
    assert saved.forced_labour_industry == "A_AgricultureForestryAndFishing" and saved.version == version + 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_person_corrections_the_second_gets_a_conflict(cast, case):
    version = case.version
    outcome = race(
        lambda: services.person_update(case=case, actor=cast.caseworker_a, version=version,
                                       data={"phone": "+37360000111"}),
        lambda: services.person_update(case=case, actor=cast.supervisor_a, version=version,
                                       data={"phone": "+37360000222"}))
    assert outcome["first"] is None
    assert isinstance(outcome["second"], services.EditConflict), outcome
    assert Case.objects.get(pk=case.pk).person.phone == "+37360000111"
