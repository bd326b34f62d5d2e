"""`manage.py backup_create --out DIR [--keys-out FILE]`: a backup of the database and the
encrypted document storage, with a manifest (protection.backup; docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridgeway.protection import backup


class Command(BaseCommand):
    help = ("Back up the database and the encrypted documents into a new directory; with "
            "--keys-out, also write the keys to a separate file (keep it apart from the backup).")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="a new or empty directory")
        parser.add_argument("--keys-out", help="a new file for the keys (mode 0600)")

    def handle(self, *args, **options):
        try:
            manifest = backup.create(Path(options["out"]),
                                     keys_out=Path(options["keys_out"]) if options["keys_out"]
                                     else None)
        except (backup.BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {options['out']}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['files'])} files."))
