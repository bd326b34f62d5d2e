from django.core.management.base import BaseCommand

from bridgeway.referrals.tasks import referrals_expire_task


class Command(BaseCommand):
    help = ("Mark pending referrals whose response deadline has passed as expired (run every few "
            "minutes from cron).")

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the run to the background worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = referrals_expire_task.enqueue()
            self.stdout.write(f"Enqueued as task {result.id}.")
            return
        count = referrals_expire_task.call()
        self.stdout.write(self.style.SUCCESS(f"{count} referral(s) expired."))
