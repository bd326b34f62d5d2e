from django.core.management.base import BaseCommand

from bridgeway.protection.tasks import retention_scan_task


class Command(BaseCommand):
    help = ("Open erasure requests for subjects past their retention period (run daily from "
            "cron). Nothing is erased until a data protection officer approves.")

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the scan to the background worker instead of running it")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = retention_scan_task.enqueue()
            self.stdout.write(f"Enqueued as task {result.id}.")
            return
        count = retention_scan_task.call()
        self.stdout.write(self.style.SUCCESS(f"{count} new erasure request(s)."))
