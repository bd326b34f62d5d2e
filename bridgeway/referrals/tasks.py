from django.tasks import task

from bridgeway.referrals import services


@task()
def referrals_expire_task() -> int:
    """Takes no arguments and returns a count: nothing personal passes through the task queue."""
    return services.referrals_expire()
