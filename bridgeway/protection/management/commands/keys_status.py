from django.conf import settings
from django.core.management.base import BaseCommand

from bridgeway.protection.crypto import kek_fingerprint
from bridgeway.protection.models import OrganisationKey
from bridgeway.protection.queries import key_usage


class Command(BaseCommand):
    help = "Which KEKs are loaded, which one new subjects get, and how many data keys each wraps."

    def handle(self, *args, **options):
        self.stdout.write(f"Active KEK for new subjects: {settings.BRIDGEWAY_KEK_ACTIVE}")
        for key_id in settings.BRIDGEWAY_KEKS:
            self.stdout.write(f"  loaded {key_id:20} fingerprint {kek_fingerprint(key_id)}")
        for row in key_usage():
            state = "" if row["loaded"] else "  NOT LOADED: what these keys protect cannot be read"
            self.stdout.write(f"  {row['kek_id']:27} wraps {row['subjects']} data keys{state}")
        for own in OrganisationKey.objects.all():
            self.stdout.write(f"  organisation {own.organisation_id} uses its own key "
                              f"{own.kek_id}")
