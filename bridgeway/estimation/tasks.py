"""Background tasks of the estimation app. Each receives an id only (never personal data) and
runs its job inside `core.jobs.running` (models.EstimationJob): leased, with a heartbeat; safe to
run again after a worker died (a job already finished or running elsewhere is skipped)."""

from django.tasks import task

from bridgeway.estimation import services


@task()
def compute_encodings(job_id: int) -> str:
    job = services.encoding_job_run(job_id)
    return job.status if job else "skipped"


@task()
def link(run_id: int) -> str:
    run = services.run_link(run_id)
    return run.status if run else "skipped"


@task()
def estimate(estimate_id: int) -> str:
    result = services.estimate_run(estimate_id)
    return result.status if result else "skipped"


@task()
def dedupe(run_id: int) -> str:
    run = services.dedupe_run(run_id)
    return run.status if run else "skipped"
