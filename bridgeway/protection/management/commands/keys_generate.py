from django.core.management.base import BaseCommand

from bridgeway.env import generate_key


class Command(BaseCommand):
    help = ("Print a new random 256-bit key (URL-safe base64): a KEK for BRIDGEWAY_KEKS "
            "(as id=key) or a value for the other BRIDGEWAY_*_KEY variables. Before any setting "
            "exists, `python -m bridgeway.env` does the same.")

    def add_arguments(self, parser):
        parser.add_argument("--id", help="print as `ID=key`, ready for BRIDGEWAY_KEKS")

    def handle(self, *args, id=None, **options):
        key = generate_key()
        self.stdout.write(f"{id}={key}" if id else key)
