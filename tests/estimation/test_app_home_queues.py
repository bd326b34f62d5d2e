"""Estimation's home queues (core.queues): estimates waiting for a second person's approval, for
the coordinators and researchers who may approve (never the one who ran it), and possible
duplicates to review, for the organisation's supervisors. Each line leads to the page itself and
leaves once done; nobody sees another network's or organisation's lines; the home page's
statements do not grow with the queues."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services as cases
from bridgeway.estimation import services
from bridgeway.estimation.models import CandidatePair, DedupeRun, TaskStatus
from tests.conftest import signed_in
from tests.core.test_home_queues import _queries
from tests.estimation.app_helpers import TABLE, make_world, upload

pytestmark = pytest.mark.django_db

APPROVALS = "Estimates waiting for your approval"
DUPLICATES = "Possible duplicates to review"


@pytest.fixture(autouse=True)
def _no_queue_fails_quietly(caplog):
    """A queue that raises is hidden from the page (by design); here it must fail the test."""
    yield
    assert [r.getMessage() for r in caplog.records if r.name == "bridgeway.home"] == []


@pytest.fixture
def world(cast):
    return make_world(cast)


def home(user) -> str:
    response = signed_in(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def estimate(world, title="Two Rivers 2025", *, actor=None, bootstrap=0):
    return services.estimate_create(org=world.network, actor=actor or world.coordinator,
                                    title=title, upload=upload("t.csv", TABLE),
                                    bootstrap=bootstrap)


def test_an_estimate_waits_for_a_second_persons_approval_then_leaves(world):
    done = estimate(world)
    assert done.status == TaskStatus.DONE
    url = reverse("estimation:estimate", args=[done.pk])
    for who in (world.coordinator2, world.researcher):
        page = home(who)
        assert APPROVALS in page and "Two Rivers 2025" in page and url in page, who
    # Not the one who ran it, nor another network's coordinator, a member's supervisor or an
    # outsider.
    for who in (world.coordinator, world.other_coordinator, world.sup_a, world.outsider):
        page = home(who)
        assert APPROVALS not in page and url not in page, who
    services.estimate_approve(estimate=done, actor=world.researcher)
    assert APPROVALS not in home(world.coordinator2)


def test_an_unfinished_or_failed_estimate_is_not_offered_for_approval(world):
    bad = estimate(world, "Failed one")
    type(bad).objects.filter(pk=bad.pk).update(status=TaskStatus.FAILED)
    running = estimate(world, "Still running")
    type(running).objects.filter(pk=running.pk).update(status=TaskStatus.RUNNING)
    assert APPROVALS not in home(world.coordinator2)


def _case(world, first, org):
    return cases.case_open(org=org, actor=world.sup_a if org == world.a else world.sup_b,
                           opened_on=date.today() - timedelta(days=5),
                           person=cases.PersonData(first_name=first, second_name="Quillbrook",
                                                   birth_date=date(1990, 1, 1)))


def _dedupe_run(world, pairs: int, org=None) -> DedupeRun:
    org = org or world.a
    run = DedupeRun.objects.create(organisation=org, created_by=world.sup_a,
                                   status=TaskStatus.DONE, finished_at=timezone.now())
    for i in range(pairs):
        CandidatePair.objects.create(run=run, case_a=_case(world, f"Zamfira{i}", org),
                                     case_b=_case(world, f"Zamfyra{i}", org), probability=0.97)
    return run


def test_possible_duplicates_wait_for_the_supervisor_until_reviewed(world):
    run = _dedupe_run(world, 2)
    url = reverse("estimation:dedupe_run", args=[run.pk])
    page = home(world.sup_a)
    assert DUPLICATES in page and "2 possible duplicates to review" in page and url in page
    assert "Zamfira" not in page  # no names on the home page
    for who in (world.caseworker_a, world.sup_b, world.coordinator, world.outsider):
        assert DUPLICATES not in home(who), who
    first, second = CandidatePair.objects.filter(run=run)
    services.pair_decide(pair=first, actor=world.sup_a, decision="confirmed")
    assert "1 possible duplicate to review" in home(world.sup_a)
    services.pair_decide(pair=second, actor=world.sup_a, decision="rejected")
    assert DUPLICATES not in home(world.sup_a)


def test_a_newer_check_replaces_the_older_ones_pairs(world):
    _dedupe_run(world, 1)
    assert DUPLICATES in home(world.sup_a)
    _dedupe_run(world, 0)
    assert DUPLICATES not in home(world.sup_a)


def test_the_home_page_statements_do_not_grow_with_estimation_queues(world):
    def one_of_each(i):
        estimate(world, f"Estimate {i}")
        run = _dedupe_run(world, 1)
        DedupeRun.objects.filter(pk=run.pk).update(
            created_at=timezone.now() + timedelta(seconds=i))

    people = (world.coordinator2, world.researcher, world.sup_a)
    one_of_each(0)
    few = [_queries(who) for who in people]
    for i in range(1, 7):
        one_of_each(i)
    full = [_queries(who) for who in people]
    for i in range(7, 20):
        one_of_each(i)
    many = [_queries(who) for who in people]
    assert many == full and all(a <= b for a, b in zip(few, full, strict=True))
