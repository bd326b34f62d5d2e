import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bridgeway.orgs.models import Organisation
from bridgeway.protection import crypto
from bridgeway.protection.models import OrganisationKey
from bridgeway.protection.services import KEK_ID_SECONDS, rotate_batch


class Command(BaseCommand):
    help = ("Re-wrap data keys under another KEK without touching any ciphertext. Runs in "
            "batches that each commit; if interrupted, run it again and it carries on.")

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, help="id of the KEK to wrap with")
        parser.add_argument("--org", type=int,
                            help="only this organisation's subjects (for its own KEK)")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--max-batches", type=int, default=0,
                            help="stop after this many batches (0: until done)")

    def handle(self, *args, to, org=None, batch=500, max_batches=0, **options):
        try:
            crypto.kek(to)
        except crypto.KeyUnavailable as exc:
            raise CommandError(str(exc)) from None
        if org is not None:
            if not Organisation.objects.filter(pk=org).exists():
                raise CommandError(f"No organisation with id {org}.")
            own = OrganisationKey.objects.filter(organisation_id=org).first()
            if own is None or own.kek_id != to:
                raise CommandError(f"Organisation {org}'s own key is not {to!r}: assign it first "
                                   "with keys_assign_org.")
            # Each server process keeps an organisation's key id for KEK_ID_SECONDS: until
            # then one may still wrap a new person's key with the previous key, after this
            # rotation had passed it. Waiting first (and a little more, for a transaction that
            # read the key just before the assignment committed) leaves nobody behind.
            left = KEK_ID_SECONDS + 5 - (timezone.now() - own.set_at).total_seconds()
            if left > 0:
                self.stdout.write(f"Waiting {left:.0f} s until every server process uses the "
                                  "new key for new persons ...")
                time.sleep(left)
        total, batches = 0, 0
        while True:
            try:
                done = rotate_batch(to_key_id=to, organisation_id=org, batch=batch)
            except crypto.KeyUnavailable as exc:
                raise CommandError(f"{exc} Load the old key too until rotation finishes.") \
                    from None
            total += done
            batches += 1
            if done:
                self.stdout.write(f"re-wrapped {total} data keys so far")
            if not done or (max_batches and batches >= max_batches):
                break
        self.stdout.write(self.style.SUCCESS(f"Re-wrapped {total} data keys under {to!r}."))
