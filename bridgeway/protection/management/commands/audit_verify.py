from django.core.management.base import BaseCommand, CommandError

from bridgeway.protection.audit import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit non-zero and name the first broken link."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            brk = report.broken
            assert brk is not None
            where = f"event #{brk.seq}" + (f" (row id {brk.event_id})" if brk.event_id else "")
            raise CommandError(
                f"Audit chain BROKEN at {where}: {brk.reason}. "
                f"{report.checked} events before it verified."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.checked} events, head {report.head_hash}")
        )
