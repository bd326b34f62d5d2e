"""Possible duplicate persons within one organisation, as a supervisor meets them: a check in the
background (splink over the persons decrypted in the server process), a review screen that says
why two look alike, a decision per pair that is audited, and "open both cases" instead of a
merge. Caseworkers, other organisations and coordinators get 404."""

from datetime import date, timedelta

import pytest

from bridgeway.cases import services as cases
from bridgeway.estimation import demo, services
from bridgeway.estimation.models import CandidatePair, DedupeRun, TaskStatus
from bridgeway.protection.models import AccessLogEntry, AuditEvent
from tests.conftest import signed_in
from tests.estimation.app_helpers import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    return make_world(cast)


def open_case(org, actor, first, second, born):
    return cases.case_open(org=org, actor=actor, opened_on=date.today() - timedelta(days=5),
                           person=cases.PersonData(first_name=first, second_name=second,
                                                   birth_date=born, gender="Feminine"))


@pytest.fixture
def persons(world):
    """30 different persons of org A, one registered again with a typo in the surname and
    another registered twice alike."""
    made = []
    for i in range(30):
        made.append(open_case(world.a, world.sup_a, demo.FIRST_NAMES[i], demo.SURNAMES[i],
                              date(1980, 1, 1) + timedelta(days=173 * i)))
    twin = open_case(world.a, world.sup_a, demo.FIRST_NAMES[4], "Enahce",
                     date(1980, 1, 1) + timedelta(days=173 * 4))
    open_case(world.a, world.sup_a, demo.FIRST_NAMES[9], demo.SURNAMES[9],
              date(1980, 1, 1) + timedelta(days=173 * 9))
    return made[4], twin


def test_a_supervisor_finds_reviews_and_confirms_a_duplicate(world, persons):
    first, second = persons
    client = signed_in(world.sup_a)
    assert client.get(f"/estimation/organisations/{world.a.pk}/duplicates/").status_code == 200
    response = client.post(f"/estimation/organisations/{world.a.pk}/duplicates/")
    assert response.status_code == 302
    run = DedupeRun.objects.get()
    assert run.status == TaskStatus.DONE, run.error
    assert run.records == 32
    pair = CandidatePair.objects.get(run=run, case_a__in=[first, second],
                                     case_b__in=[first, second])
    listing = client.get(response["Location"]).content.decode()
    assert first.reference in listing and second.reference in listing
    page = client.get(f"/estimation/pairs/{pair.pk}/").content.decode()
    assert "Enahce" in page and "Why these two look alike" in page
    assert "Date of birth" in page and "strong evidence for the same person" in page
    assert f"/cases/{first.pk}/" in page and f"/cases/{second.pk}/" in page
    assert "Merge these cases" not in page  # only once confirmed
    # The review showed both persons: the access log says so.
    assert AccessLogEntry.objects.filter(user=world.sup_a, subject=first.subject).exists()
    client.post(f"/estimation/pairs/{pair.pk}/", {"decision": "confirmed"})
    pair.refresh_from_db()
    assert pair.decision == "confirmed" and pair.decided_by == world.sup_a
    assert "Merge these cases" in client.get(f"/estimation/pairs/{pair.pk}/").content.decode()
    event = AuditEvent.objects.get(action="estimation.candidate_pair.confirmed")
    assert event.payload == {"case_a": str(pair.case_a_id), "case_b": str(pair.case_b_id)}
    finished = AuditEvent.objects.get(action="estimation.dedupe_run.finished")
    assert set(finished.payload) == {"records", "pairs"}


def test_a_decision_must_be_one_of_the_two(world, persons):
    run = services.dedupe_start(org=world.a, actor=world.sup_a)
    pair = CandidatePair.objects.filter(run=run).first()
    client = signed_in(world.sup_a)
    response = client.post(f"/estimation/pairs/{pair.pk}/", {"decision": "maybe"})
    assert "Say whether these are the same person or not." in response.content.decode()
    pair.refresh_from_db()
    assert pair.decision == "pending"
    assert not AuditEvent.objects.filter(action__startswith="estimation.candidate_pair.").exists()


def test_only_the_organisations_supervisors_see_duplicates(world, persons):
    run = services.dedupe_start(org=world.a, actor=world.sup_a)
    pair = CandidatePair.objects.filter(run=run).first()
    urls = [f"/estimation/organisations/{world.a.pk}/duplicates/",
            f"/estimation/duplicates/{run.pk}/", f"/estimation/pairs/{pair.pk}/"]
    for user in (world.caseworker_a, world.cast.admin_a, world.sup_b, world.coordinator,
                 world.outsider, world.cast.dpo_a, world.cast.platform_admin):
        client = signed_in(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(f"/estimation/pairs/{pair.pk}/",
                           {"decision": "confirmed"}).status_code == 404
    pair.refresh_from_db()
    assert pair.decision == "pending"
