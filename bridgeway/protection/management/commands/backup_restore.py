"""`manage.py backup_restore --from DIR`: loads a backup into the configured (new, empty)
database and storage directory, then proves it whole (protection.backup.verify). With
--verify-only, checks an installation against a backup's manifest without loading anything."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridgeway.protection import backup


class Command(BaseCommand):
    help = ("Restore a backup into a new, empty database and a clean directory, then check that "
            "nothing is missing, the audit chain verifies, and data and documents decrypt.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="src", required=True, help="the backup directory")
        parser.add_argument("--verify-only", action="store_true",
                            help="do not load anything; only check")

    def handle(self, *args, **options):
        src = Path(options["src"])
        try:
            if not options["verify_only"]:
                backup.restore(src)
                self.stdout.write(f"Restored {src}.")
            result = backup.verify(src)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        if not result.ok:
            raise CommandError("The restored copy is NOT whole:\n  " + "\n  ".join(result.problems))
        self.stdout.write(self.style.SUCCESS(f"Restore verified: {result}."))
