from django.tasks import task

from bridgeway.stats import services


@task()
def run_import(job_id: int) -> str:
    """Receives the job id only: the upload waits sealed under var/imports/."""
    return services.job_run(job_id).status
