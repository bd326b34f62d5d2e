"""Estimation's background tasks follow core.jobs (docs/operations.md, "Background jobs"): a task
whose worker died is found by `jobs.recover()` and started again from the beginning (each writes
its results in one transaction) or, out of attempts, marked failed with a message the person sees
on the page and in the API. Outsiders still get 404."""

import pytest
from django.utils import timezone

from bridgeway.core import jobs
from bridgeway.estimation import services
from bridgeway.estimation.models import (
    CandidatePair,
    DedupeRun,
    EncodingJob,
    EncodingSet,
    Estimate,
    LinkageMatch,
    LinkageRun,
    TaskStatus,
)
from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in
from tests.estimation.app_helpers import TABLE, make_world, overlapping, upload
from tests.stats.test_job_recovery import _dead_worker

pytestmark = pytest.mark.django_db

@pytest.fixture
def world(cast):
    return make_world(cast)


def _killed(job, *, attempts, **left):
    """The row as a worker killed mid-task leaves it: running, nothing of its result kept (its
    transaction died with it)."""
    type(job).objects.filter(pk=job.pk).update(
        status=TaskStatus.RUNNING, worker=_dead_worker(), attempts=attempts, finished_at=None,
        heartbeat_at=timezone.now(), rows_done=3, **left)
    job.refresh_from_db()
    return job


def _estimate(world) -> Estimate:
    return services.estimate_create(org=world.network, actor=world.coordinator,
                                    title="Two Rivers 2025", upload=upload("t.csv", TABLE),
                                    bootstrap=20)


def test_every_estimation_task_is_a_job_recover_finds():
    found = set(jobs.job_models())
    assert {EncodingJob, LinkageRun, Estimate, DedupeRun} <= found


def test_an_estimate_whose_worker_died_is_run_again_and_shown_as_resumed(world):
    estimate = _estimate(world)
    assert estimate.status == TaskStatus.DONE and estimate.attempts == 1
    _killed(estimate, attempts=1, result={})
    report = jobs.recover()  # the test settings' immediate backend runs it at once
    assert report.resumed == 1 and report.failed == 0
    estimate.refresh_from_db()
    assert estimate.status == TaskStatus.DONE and estimate.interruption == "resumed"
    assert estimate.attempts == 2 and estimate.result["total"] > 0
    assert estimate.rows_done == estimate.rows_total == 20
    assert AuditEvent.objects.filter(action="estimation.task.resumed",
                                     object_id=str(estimate.pk)).count() == 1
    client = signed_in(world.coordinator)
    page = client.get(f"/estimation/estimates/{estimate.pk}/").content.decode()
    assert "it was started again from the beginning" in page
    api = client.get(f"/api/v1/estimates/{estimate.pk}/").json()
    assert api["status"] == "done" and api["interruption"] == "resumed"
    assert "started again" in api["message"] and api["progress"] == 100


def test_an_estimate_out_of_attempts_is_failed_with_a_message_on_page_and_api(world):
    estimate = _killed(_estimate(world), attempts=2, result={})
    report = jobs.recover()
    assert report.failed == 1 and report.resumed == 0
    estimate.refresh_from_db()
    assert estimate.status == TaskStatus.FAILED and estimate.finished_at is not None
    assert estimate.interruption == "failed" and estimate.worker == ""
    assert AuditEvent.objects.filter(action="estimation.task.interrupted").count() == 1
    client = signed_in(world.coordinator)
    page = client.get(f"/estimation/estimates/{estimate.pk}/").content.decode()
    assert "nothing was saved. Start it again" in page
    assert "<progress" not in page and "hx-trigger" not in page
    api = client.get(f"/api/v1/estimates/{estimate.pk}/").json()
    assert api["status"] == "failed" and api["interruption"] == "failed"
    assert "Start it again" in api["message"]
    # A second recover leaves it alone; outsiders learn nothing of it.
    assert jobs.recover().failed == 0
    for outsider in (world.outsider, world.other_coordinator, world.sup_a):
        client = signed_in(outsider)
        assert client.get(f"/estimation/estimates/{estimate.pk}/").status_code == 404
        assert client.get(f"/api/v1/estimates/{estimate.pk}/").status_code == 404


def test_a_linkage_run_whose_worker_died_is_resumed_and_its_matches_written_once(world):
    overlapping(world)
    run = services.run_start(network=world.network, actor=world.coordinator)
    assert run.status == TaskStatus.DONE
    histories, matches = run.histories, LinkageMatch.objects.filter(run=run).count()
    LinkageMatch.objects.filter(run=run).delete()  # the dead attempt's transaction kept nothing
    _killed(run, attempts=1, histories=[], clusters_across=0)
    assert jobs.recover().resumed == 1
    run.refresh_from_db()
    assert run.status == TaskStatus.DONE and run.interruption == "resumed"
    assert run.histories == histories and LinkageMatch.objects.filter(run=run).count() == matches
    client = signed_in(world.coordinator)
    assert "it was started again from the beginning" in client.get(
        f"/estimation/runs/{run.pk}/").content.decode()
    assert client.get(f"/api/v1/linkage/runs/{run.pk}/").json()["interruption"] == "resumed"
    assert signed_in(world.other_coordinator).get(
        f"/api/v1/linkage/runs/{run.pk}/").status_code == 404


def test_a_linkage_run_out_of_attempts_shows_the_message(world):
    overlapping(world)
    run = services.run_start(network=world.network, actor=world.coordinator)
    LinkageMatch.objects.filter(run=run).delete()
    _killed(run, attempts=2, histories=[])
    assert jobs.recover().failed == 1
    client = signed_in(world.coordinator)
    page = client.get(f"/estimation/runs/{run.pk}/").content.decode()
    assert "nothing was saved. Start it again" in page and "hx-trigger" not in page
    api = client.get(f"/api/v1/linkage/runs/{run.pk}/").json()
    assert api["status"] == "failed" and "Start it again" in api["message"]
    assert signed_in(world.outsider).get(f"/estimation/runs/{run.pk}/").status_code == 404


def test_encoding_and_duplicate_check_of_a_dead_worker(world):
    overlapping(world)
    job = services.encoding_job_create(network=world.network, org=world.a, actor=world.sup_a)
    assert job.status == TaskStatus.DONE
    EncodingSet.objects.filter(pk=job.encodings_id).delete()
    sets = EncodingSet.objects.count()
    _killed(job, attempts=1)
    dedupe = services.dedupe_start(org=world.a, actor=world.sup_a)
    CandidatePair.objects.filter(run=dedupe).delete()
    _killed(dedupe, attempts=2)
    report = jobs.recover()
    assert report.resumed == 1 and report.failed == 1
    job.refresh_from_db()
    assert job.status == TaskStatus.DONE and job.interruption == "resumed"
    assert EncodingSet.objects.count() == sets + 1
    dedupe.refresh_from_db()
    assert dedupe.status == TaskStatus.FAILED and dedupe.interruption == "failed"
    assert not CandidatePair.objects.filter(run=dedupe).exists()
    page = signed_in(world.sup_a).get(f"/estimation/duplicates/{dedupe.pk}/").content.decode()
    assert "nothing was saved. Start it again" in page
    assert "it was started again from the beginning" in signed_in(world.sup_a).get(
        f"/estimation/encoding-jobs/{job.pk}/").content.decode()
    assert signed_in(world.sup_b).get(f"/estimation/duplicates/{dedupe.pk}/").status_code == 404
    assert signed_in(world.sup_b).get(
        f"/estimation/encoding-jobs/{job.pk}/").status_code == 404


def test_a_task_run_twice_does_nothing_the_second_time(world):
    estimate = _estimate(world)
    assert services.estimate_run(estimate.pk) is None  # already done: skipped
    assert Estimate.objects.get(pk=estimate.pk).attempts == 1
