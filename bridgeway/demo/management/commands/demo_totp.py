from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bridgeway.demo.data import DEMO_DOMAIN

User = get_user_model()


def current_code(secret: str) -> str:
    import time

    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.BRIDGEWAY_DEMO_ALLOWED:
            raise CommandError("demo_totp works only with DEBUG on.")
        if not email.lower().endswith("@" + DEMO_DOMAIN):
            raise CommandError(f"Only demo accounts (@{DEMO_DOMAIN}) have printable codes.")
        user = User.objects.filter(email__iexact=email).first()
        auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if auth is None:
            raise CommandError("That demo account has no two-factor authenticator.")
        self.stdout.write(current_code(decrypt(auth.data["secret"])))
