from django.core.management.base import BaseCommand

from bridgeway.notifications.tasks import send_reminders


class Command(BaseCommand):
    help = ("Send due reminders and escalations (overdue case tasks, referrals waiting for an "
            "answer). Run every 15 minutes from cron, or with --enqueue through the worker.")

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the work to the background worker instead of running it")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = send_reminders.enqueue()
            self.stdout.write(f"Enqueued as task {result.id}.")
            return
        counts = send_reminders.call()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} notification(s)")
