"""Recomputes the per-organisation-year summary rows the network view reads from the funding
receipts, and renews every organisation's token so the network recomputes the values it kept
(after a bulk load or a restore that bypassed the services). Prints counts only."""

from django.core.management.base import BaseCommand
from django.db import transaction

from bridgeway.funding import summary


class Command(BaseCommand):
    help = "Recompute the funding network view's summary rows from the funding receipts."

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = summary.rebuild()
        self.stdout.write(f"{rows} summary rows")
