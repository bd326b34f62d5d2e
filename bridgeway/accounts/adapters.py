import base64
import os

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PREFIX = "bwv1:"
_AAD = b"bridgeway.mfa.secret"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created only by accepting an organisation's invitation.
        return False


class MfaAdapter(DefaultMFAAdapter):
    """Keeps TOTP secrets and recovery-code seeds encrypted (AES-256-GCM) in the database."""

    def encrypt(self, text: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(settings.MFA_SECRETS_KEY).encrypt(nonce, text.encode(), _AAD)
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(_PREFIX):
            raise ImproperlyConfigured("An MFA secret in the database is not encrypted.")
        raw = base64.urlsafe_b64decode(encrypted_text[len(_PREFIX):])
        try:
            return AESGCM(settings.MFA_SECRETS_KEY).decrypt(raw[:12], raw[12:], _AAD).decode()
        except InvalidTag:
            raise ImproperlyConfigured(
                "An MFA secret cannot be decrypted: BRIDGEWAY_MFA_KEY is not the key it was "
                "encrypted with."
            ) from None
