"""The public form's defences that need no third party: a signed time trap, rate limits per
network address kept only as a keyed hash that changes daily, and the body size limit. The
honeypot and the proof-of-work (ALTCHA) are fields of the form (see public.py); the daily quota
is counted where the submission is written (services.public_submission)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a pinned dependency
    class RedisError(Exception):  # type: ignore[no-redef]
        pass

_SALT = "bridgeway.helpline.form-time"
# A form older than this is stale: the person is asked to send it again from a fresh page.
MAX_AGE_SECONDS = 6 * 3600


# What a shared cache that does not answer raises (Redis down or too slow). The flood defences
# then cannot count, so the form fails closed: the view answers 503 (public.py), never 500.
CACHE_DOWN: tuple[type[BaseException], ...] = (RedisError, ConnectionError, TimeoutError)

log = logging.getLogger(__name__)


def _cache():
    """The shared cache of the rate limits (and of ALTCHA's replay keys): Redis in production
    (BRIDGEWAY_REDIS_URL), the database cache otherwise; see settings.CACHES."""
    return caches[settings.RATE_LIMIT_CACHE]


class TimeTrap(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "forged", "fast", "stale"


def time_token(slug: str) -> str:
    """Signed when the page was served; a bot posting at once, or forging the time, fails."""
    return signing.dumps({"s": slug, "t": int(time.time() * 1000)}, salt=_SALT, compress=False)


# Time tokens whose signature this process already checked, with what they hold: a flood
# replays one token again and again (a bot without JavaScript fetches the page once). Only
# good signatures are kept, so a forged token is checked every time.
_checked_tokens: dict[str, object] = {}


def check_time_token(token: str, slug: str, *, now: float | None = None) -> float:
    """Seconds since the form was served, or TimeTrap."""
    value = _checked_tokens.get(token)
    if value is None:
        try:
            value = signing.loads(token or "", salt=_SALT)
        except signing.BadSignature:
            raise TimeTrap("forged") from None
        if len(_checked_tokens) > 10_000:
            _checked_tokens.clear()
        _checked_tokens[token] = value
    if not isinstance(value, dict) or value.get("s") != slug or not isinstance(value.get("t"),
                                                                                int):
        raise TimeTrap("forged")
    age = (now if now is not None else time.time()) - value["t"] / 1000
    if age < settings.HELPLINE_MIN_SECONDS:
        raise TimeTrap("fast")
    if age > MAX_AGE_SECONDS:
        raise TimeTrap("stale")
    return age


_day_key: tuple[str, bytes] = ("", b"")


def _address_hash(request: HttpRequest) -> str:
    """The address as a keyed hash under a key of the day: no address is stored, and the same
    address gives another hash tomorrow. The day's key is derived once a day per process."""
    global _day_key
    day = timezone.now().date().isoformat()
    if _day_key[0] != day:
        _day_key = (day, hmac.new(settings.HELPLINE_RATE_KEY, day.encode(),
                                  hashlib.sha256).digest())
    address = request.META.get("REMOTE_ADDR", "") or ""
    return hmac.new(_day_key[1], address.encode(), hashlib.sha256).hexdigest()[:40]


def _keys(request: HttpRequest) -> dict[str, tuple[str, int, int]]:
    """The address's counters, worked out once per request (a refusal asks up to three times)."""
    kept = getattr(request, "_helpline_rate_keys", None)
    if kept is not None:
        return kept
    now = timezone.now()
    digest = _address_hash(request)
    keys = {
        "hour": (f"hl:rate:h:{digest}:{now:%H}", settings.HELPLINE_RATE_PER_HOUR, 3600),
        "no_proof": (f"hl:rate:d:{digest}", settings.HELPLINE_RATE_NO_PROOF_PER_DAY, 86400),
    }
    request._helpline_rate_keys = keys  # type: ignore[attr-defined]
    return keys


# Addresses (as their hashed keys) this process already found over a limit, until when: a flood
# from one address is then refused without asking the shared cache at all. Counts only grow
# within a window, so the answer stays true; it is re-checked after a minute at most.
_refused_here: dict[str, float] = {}
_REMEMBER = 60.0


def known_over(request: HttpRequest, name: str) -> bool:
    """Whether this process already found the address over the limit `name` ("hour" or
    "no_proof") within the last minute: answered from memory, no shared cache asked."""
    return _refused_here.get(_keys(request)[name][0], 0.0) > time.monotonic()


def limits_over(request: HttpRequest, *, proof: bool) -> list[str]:
    """The limits this address already reached, asked of the shared cache in one round trip:
    "hour", and "no_proof" when the post carries no proof-of-work. Remembered for a minute."""
    keys = _keys(request)
    wanted = ["hour"] if proof else ["hour", "no_proof"]
    counts = _cache().get_many([keys[k][0] for k in wanted])
    over = [k for k in wanted if counts.get(keys[k][0], 0) >= keys[k][1]]
    if over:
        if len(_refused_here) > 50_000:
            _refused_here.clear()
        until = time.monotonic() + _REMEMBER
        for k in over:
            _refused_here[keys[k][0]] = until
    return over


def count(request: HttpRequest, *, proof: bool) -> None:
    """After a submission was stored. If the shared cache fails here the message is kept and
    the person told it was sent (it was): one uncounted message, logged without the address."""
    keys = _keys(request)
    cache = _cache()
    try:
        for name in (["hour"] if proof else ["hour", "no_proof"]):
            key, _limit, ttl = keys[name]
            if cache.add(key, 1, ttl):
                continue
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, ttl)
    except CACHE_DOWN as exc:
        log.warning("helpline rate-limit cache unavailable while counting: %s",
                    type(exc).__name__)
