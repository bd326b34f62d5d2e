from django.core.management.base import BaseCommand

from bridgeway.protection.services import blind_indexes_rebuild


class Command(BaseCommand):
    help = ("Clean every stored name (and the modules' indexed values, e.g. phones to E.164) and "
            "rebuild the blind indexes from them. Run after an upgrade that changes how names "
            "are normalised; safe to run again, and to stop and restart.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500,
                            help="subjects read per query (default 500)")

    def handle(self, *args, batch=500, **options):
        count = blind_indexes_rebuild(batch=batch)
        self.stdout.write(self.style.SUCCESS(f"{count} person(s) reindexed."))
