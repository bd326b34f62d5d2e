from django.tasks import task

from bridgeway.protection import services


@task()
def retention_scan_task() -> int:
    """Takes no arguments and returns a count: nothing personal passes through the task queue."""
    return services.retention_scan()
