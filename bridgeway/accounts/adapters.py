import base64
import os

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit as _ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from bridgeway.accounts import throttle

_PREFIX = "bwv1:"
_AAD = b"bridgeway.mfa.secret"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created only by accepting an organisation's invitation.
        return False

    def get_client_ip(self, request) -> str:
        """A keyed hash of the address: allauth's per-address limits count under it, so no
        address is kept in clear (see accounts.throttle)."""
        return throttle.address_key(super().get_client_ip(request))

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The account lock counts per account AND address: failures from elsewhere do not lock
        # the person out where they are (the slower per-account limit is `login_failed_account`).
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}|{self.get_client_ip(request)}"

    def _account_key(self, request, **credentials) -> str:
        return super()._get_login_attempts_cache_key(request, **credentials)

    def pre_authenticate(self, request, **credentials) -> None:
        login = credentials.get("email", credentials.get("username", ""))
        self._everywhere_usage = None
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            block = throttle.block_for(
                request, action="login_failed",
                key=self._get_login_attempts_cache_key(request, **credentials),
                reason_by_per={"ip": "address", "key": "account_at_address"})
            raise throttle.refused(request, block=block, account=throttle.account_for(login),
                                   reason="address") from None
        key = self._account_key(request, **credentials)
        usage = _ratelimit.consume(request, app=throttle.APP, action=throttle.EVERYWHERE,
                                   key=key)
        if not usage:
            self._rollback_login_failed_rl_usage()  # this attempt was not tried: not counted
            block = throttle.block_for(request, action=throttle.EVERYWHERE, key=key,
                                       reason_by_per={"key": "account"})
            raise throttle.refused(request, block=block, account=throttle.account_for(login),
                                   reason="account")
        self._everywhere_usage = usage

    def _rollback_login_failed_rl_usage(self) -> None:
        # Called on success: a good password does not count against any of the limits.
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_everywhere_usage", None)
        if usage:
            usage.rollback()


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
