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


def check_time_token(token: str, slug: str, *, now: float | None = None) -> float:
    """Seconds since the form was served, or TimeTrap."""
    try:
        value = signing.loads(token or "", salt=_SALT)
    except signing.BadSignature:
        raise TimeTrap("forged") from None
    if not isinstance(value, dict) or value.get("s") != slug or not isinstance(value.get("t"),
                                                                                int):
        raise TimeTrap("forged")
    age = (now if now is not None else time.time()) - value["t"] / 1000
    if age < settings.HELPLINE_MIN_SECONDS:
        raise TimeTrap("fast")
    if age > MAX_AGE_SECONDS:
        raise TimeTrap("stale")
    return age


def _address_hash(request: HttpRequest) -> str:
    """The address as a keyed hash under a key of the day: no address is stored, and the same
    address gives another hash tomorrow."""
    day = timezone.now().date().isoformat()
    day_key = hmac.new(settings.HELPLINE_RATE_KEY, day.encode(), hashlib.sha256).digest()
    address = request.META.get("REMOTE_ADDR", "") or ""
    return hmac.new(day_key, address.encode(), hashlib.sha256).hexdigest()[:40]


def _keys(request: HttpRequest) -> dict[str, tuple[str, int, int]]:
    now = timezone.now()
    digest = _address_hash(request)
    return {
        "hour": (f"hl:rate:h:{digest}:{now:%H}", settings.HELPLINE_RATE_PER_HOUR, 3600),
        "no_proof": (f"hl:rate:d:{digest}", settings.HELPLINE_RATE_NO_PROOF_PER_DAY, 86400),
    }


# Addresses (as their hashed keys) this process already found over a limit, until when: a flood
# from one address is then refused without asking the shared cache at all. Counts only grow
# within a window, so the answer stays true; it is re-checked after a minute at most.
_refused_here: dict[str, float] = {}
_REMEMBER = 60.0


def over_limit(request: HttpRequest, *, proof: bool | None = None) -> bool:
    """Whether this address already sent as many as it may (this hour; or today, without
    proof-of-work). Without `proof`, only the hourly limit (checked before the body is read)."""
    keys = _keys(request)
    wanted = ["hour", "no_proof"] if proof is False else ["hour"]
    now = time.monotonic()
    if any(_refused_here.get(keys[k][0], 0.0) > now for k in wanted):
        return True
    counts = _cache().get_many([keys[k][0] for k in wanted])
    over = [k for k in wanted if counts.get(keys[k][0], 0) >= keys[k][1]]
    if over:
        if len(_refused_here) > 50_000:
            _refused_here.clear()
        for k in over:
            _refused_here[keys[k][0]] = now + _REMEMBER
    return bool(over)


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
