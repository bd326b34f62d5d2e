"""Sign-in throttling that cannot be turned against the person it protects.

Three limits (settings.ACCOUNT_RATE_LIMITS), all counted in the cache under keyed hashes, never
an address or an e-mail address in clear:

- `login_failed` per network address ("ip"): failures from one address, whatever the account;
- `login_failed` per account *and* address ("key"): the account lock. Someone who knows a
  person's e-mail address can lock it only for their own address, not for the person's;
- `login_failed_account` per account, everywhere: a slower limit over a longer window, so that
  guessing from many addresses stays bounded.

A refused attempt is audited with the account's id when there is such an account (never the
typed address) and answered 429 with the time it may be tried again (views.LoginView).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from allauth.core.internal import ratelimit as _ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgeway.protection.audit import audit_record

APP = "allauth.account"
EVERYWHERE = "login_failed_account"
# IPv6 users get a /64 each: counting single addresses would let one of them rotate freely.
IPV6_PREFIX = 64


def _key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"bridgeway.login.address",
                    hashlib.sha256).digest()


def address_key(ip: str) -> str:
    """A keyed hash of the client's network address (an IPv6 address by its /64)."""
    try:
        addr = ipaddress.ip_address(ip)
        if addr.version == 6:
            addr = ipaddress.ip_network(f"{addr}/{IPV6_PREFIX}", strict=False).network_address
        ip = str(addr)
    except ValueError:
        pass
    return "a-" + hmac.new(_key(), ip.encode(), hashlib.sha256).hexdigest()[:40]


def account_for(login: str):
    from bridgeway.accounts.models import User

    login = (login or "").strip()
    return User.objects.filter(email__iexact=login).first() if login else None


@dataclass(frozen=True)
class Block:
    reason: str  # "address", "account_at_address", "account", "mfa"
    until: float  # epoch seconds

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.until - time.time()))


def block_for(request, *, action: str, key: str, reason_by_per: dict[str, str]) -> Block | None:
    """The limit of `action` that `key` (or the request's address) has reached, with the time
    its oldest counted failure leaves the window; None if none is reached."""
    now = time.time()
    found: Block | None = None
    for rate in _ratelimit.get_rates(app=APP, action=action):
        cache_key = _ratelimit.get_cache_key(request, app=APP, action=action, rate=rate, key=key)
        history = [t for t in cache.get(cache_key, []) if t > now - rate.duration]
        if len(history) >= rate.amount:
            until = min(history) + rate.duration
            if found is None or until > found.until:
                found = Block(reason_by_per.get(rate.per, rate.per), until)
    return found


def message(block: Block | None) -> str:
    if block is None:
        return _("Too many failed login attempts. Try again later.")
    minutes = max(1, math.ceil(block.seconds / 60))
    at = timezone.localtime(timezone.now() + timedelta(seconds=block.seconds))
    return ngettext(
        "Too many failed login attempts. Try again in %(minutes)d minute, after %(time)s "
        "(%(zone)s).",
        "Too many failed login attempts. Try again in %(minutes)d minutes, after %(time)s "
        "(%(zone)s).", minutes) % {"minutes": minutes, "time": time_format(at, "H:i"),
                                   "zone": at.tzname()}


def refused(request, *, block: Block | None, account, reason: str) -> ValidationError:
    """Audits a blocked attempt (the account's id, never the typed address) and returns the
    error the form shows; the view answers 429 with Retry-After from `request`."""
    request.bridgeway_retry_after = block.seconds if block else 60
    with transaction.atomic():
        audit_record(action="accounts.session.login_blocked", obj=account,
                     payload={"reason": block.reason if block else reason,
                              "known_account": account is not None})
    return ValidationError(message(block), code="too_many_login_attempts")


def audit_failure(*, action: str, account, reason: str) -> None:
    with transaction.atomic():
        audit_record(action=action, obj=account,
                     payload={"reason": reason, "known_account": account is not None})
