from django.core.management.base import BaseCommand, CommandError

from bridgeway.orgs.models import Organisation
from bridgeway.protection import crypto
from bridgeway.protection.services import organisation_key_assign


class Command(BaseCommand):
    help = ("Give an organisation its own KEK (bring your own key). New subjects use it at once; "
            "then run `keys_rotate --org ID --to KEK` to move the existing ones.")

    def add_arguments(self, parser):
        parser.add_argument("--org", type=int, required=True)
        parser.add_argument("--kek", required=True)

    def handle(self, *args, org, kek, **options):
        organisation = Organisation.objects.filter(pk=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with id {org}.")
        try:
            organisation_key_assign(org=organisation, kek_id=kek)
        except crypto.KeyUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Organisation {org} now uses {kek!r} for new subjects. Next: "
            f"python manage.py keys_rotate --org {org} --to {kek}"))
