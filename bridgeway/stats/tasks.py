from django.tasks import task

from bridgeway.core.db import without_statement_timeout
from bridgeway.stats import columns, services
from bridgeway.stats.models import Dataset


@task()
def run_import(job_id: int) -> str:
    """Receives the job id only: the upload waits sealed under var/imports/. Safe to run again
    (after a worker died): a job already finished or running elsewhere is left alone."""
    return services.job_run(job_id).status


@task()
def run_export(job_id: int) -> str:
    """Builds a large export (`stats.ExportJob`). Receives the job id only. Safe to run again
    (after a worker died): a job already finished or running elsewhere is left alone."""
    return services.export_job_run(job_id).status


@task()
def build_columns(dataset_id: int) -> int:
    """Builds an imported dataset's column store and dashboard counts (stats.columns) after the
    import, or when a dashboard finds them missing. Receives the dataset id only; a dataset
    deleted meanwhile is skipped. Safe to run again (after a worker died): it rebuilds from the
    committed records. Not bound by the web's statement timeout."""
    dataset = Dataset.objects.filter(pk=dataset_id).first()
    if dataset is None:
        return 0
    with without_statement_timeout():
        columns.rebuild(dataset, reader=True)
    return dataset.rows
