"""`manage.py jobs_recover`: from cron, finds background jobs and tasks whose worker died,
resumes or fails them with a message, and deletes what dead jobs left behind."""

from django.core.management.base import BaseCommand

from bridgeway.core import jobs


class Command(BaseCommand):
    help = "Resume or fail jobs whose worker died, and sweep their leftover files."

    def handle(self, *args, **options):
        report = jobs.recover()
        swept = jobs.sweep()
        self.stdout.write(f"{report}; leftover files deleted: {swept}.")
