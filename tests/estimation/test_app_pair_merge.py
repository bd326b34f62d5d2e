"""A confirmed duplicate pair's cases merged from the pair page and the API (docs/estimation.md)."""

from datetime import date

import pytest
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.cases.models import Case
from bridgeway.estimation.models import CandidatePair, DedupeRun, TaskStatus
from tests.conftest import signed_in
from tests.estimation.app_helpers import make_world


@pytest.fixture
def world(cast):
    return make_world(cast)


def _pair(world, decision=CandidatePair.Decision.CONFIRMED):
    def case(first):
        return cases.case_open(org=world.a, actor=world.sup_a, person=cases.PersonData(
            first_name=first, second_name="Zamfir", birth_date=date(1990, 3, 3)))

    run = DedupeRun.objects.create(organisation=world.a, created_by=world.sup_a,
                                   status=TaskStatus.DONE, finished_at=timezone.now())
    return CandidatePair.objects.create(run=run, case_a=case("Ioana"), case_b=case("Ioanna"),
                                        probability=0.98, decision=decision)


def test_supervisor_merges_from_the_pair_page_and_both_cases_say_so(world):
    pair = _pair(world)
    client = signed_in(world.sup_a)
    page = client.get(f"/estimation/pairs/{pair.pk}/").content.decode()
    assert "Merge these cases" in page
    response = client.post(f"/estimation/pairs/{pair.pk}/merge/", {"keep": "b"})
    assert response.status_code == 302
    dup = Case.objects.get(pk=pair.case_a_id)
    assert dup.merged_into_id == pair.case_b_id
    kept_page = client.get(f"/cases/{pair.case_b_id}/").content.decode()
    assert "Merged from" in kept_page and dup.reference in kept_page
    dup_page = client.get(f"/cases/{dup.pk}/").content.decode()
    assert "merged into" in dup_page and pair.case_b.reference in dup_page


def test_api_merge_needs_a_confirmed_pair_and_a_choice_and_hides_pairs_from_outsiders(world):
    pending = _pair(world, CandidatePair.Decision.PENDING)
    client = signed_in(world.sup_a)
    url = f"/api/v1/dedupe/pairs/{pending.pk}/merge/"
    answer = client.post(url, {"keep": "a"}, content_type="application/json")
    assert answer.status_code == 400 and "decision" in answer.json()
    pair = _pair(world)
    url = f"/api/v1/dedupe/pairs/{pair.pk}/merge/"
    answer = client.post(url, {"keep": "x"}, content_type="application/json")
    assert answer.status_code == 400 and "keep" in answer.json()
    assert signed_in(world.sup_b).post(url, {"keep": "a"},
                                       content_type="application/json").status_code == 404
    answer = client.post(url, {"keep": "a"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["merged"] == str(pair.case_b_id)
    assert Case.objects.get(pk=pair.case_b_id).merged_into_id == pair.case_a_id
