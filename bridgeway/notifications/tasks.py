from django.tasks import task

from bridgeway.notifications import services


@task()
def send_notification_emails(ids: list[int]) -> int:
    """Receives notification ids only: the e-mail is built from the database, and holds a link."""
    return services.send_emails(ids)


@task()
def send_reminders() -> dict:
    """Takes no arguments: every registered source finds what is due from the database."""
    return services.run_reminders()
