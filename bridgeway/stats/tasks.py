from django.tasks import task

from bridgeway.stats import services


@task()
def run_import(job_id: int) -> str:
    """Receives the job id only: the upload waits sealed under var/imports/."""
    return services.job_run(job_id).status


@task()
def build_columns(dataset_id: int) -> int:
    """Builds an imported dataset's column store and dashboard counts (stats.columns) after the
    import, or when a dashboard finds them missing. Receives the dataset id only; a dataset
    deleted meanwhile is skipped. Not bound by the web's statement timeout."""
    from bridgeway.core.db import without_statement_timeout
    from bridgeway.stats import columns
    from bridgeway.stats.models import Dataset

    dataset = Dataset.objects.filter(pk=dataset_id).first()
    if dataset is None:
        return 0
    with without_statement_timeout():
        columns.rebuild(dataset, reader=True)
    return dataset.rows
