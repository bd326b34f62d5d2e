from django.core.management.base import BaseCommand

from bridgeway.env import generate_key


class Command(BaseCommand):
    help = "Print a new random 256-bit key (URL-safe base64) for BRIDGEWAY_*_KEY variables."

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
