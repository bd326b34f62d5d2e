"""Recomputes the network view's running totals from the records (after a bulk load or a
restore that bypassed the services). Prints counts only."""

from django.core.management.base import BaseCommand
from django.db import transaction

from bridgeway.outreach import summary


class Command(BaseCommand):
    help = "Recompute the outreach network view's running totals from the records."

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = summary.rebuild()
        self.stdout.write(f"{rows} summary rows")
