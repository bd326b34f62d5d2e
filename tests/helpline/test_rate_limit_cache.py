"""The public form's rate limits and spent proofs-of-work live in a cache shared by all server
processes: Redis in production (BRIDGEWAY_REDIS_URL), the database cache otherwise. With Redis
down the form refuses messages (the flood defences cannot count) with a plain 503, not a 500."""

import runpy
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client, override_settings
from django.utils.module_loading import import_string

from bridgeway.helpline import abuse, queries, services
from bridgeway.helpline.models import Contact
from bridgeway.protection.models import DataSubject
from tests.helpline.public_helpers import old_token, proof

SETTINGS = Path(__file__).resolve().parents[2] / "bridgeway" / "settings.py"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.ALTCHA_CHALLENGE = {"cost": 20, "expires_seconds": 600}
    abuse._refused_here.clear()
    queries.forget_public_settings()
    yield
    abuse._refused_here.clear()


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({type(exc).__name__})")
    return client


def _caches(location: str, prefix: str) -> dict:
    redis = {"BACKEND": "bridgeway.core.cache.RedisCache", "LOCATION": location,
             "KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "ratelimit": redis}


def post(conf, *, with_proof=True, addr="10.20.0.1", payload=None):
    data = {"lang": "uk", "ts": old_token(conf.slug), "what_happened": "Потрібна допомога.",
            "website": ""}
    if with_proof:
        data["altcha"] = payload or proof()
    return Client().post(f"/help/{conf.slug}/?lang=uk", data, REMOTE_ADDR=addr)


@pytest.mark.django_db
def test_rate_limits_and_spent_proofs_hold_in_the_local_redis(cast, settings):
    client = _redis_or_skip()
    prefix = f"bwtest-{uuid.uuid4().hex[:12]}"
    conf = services.settings_ensure(cast.org_a)
    settings.HELPLINE_RATE_PER_HOUR = 2
    try:
        with override_settings(CACHES=_caches(LOCAL_REDIS, prefix)):
            payload = proof()
            assert post(conf, payload=payload).status_code == 200
            # the same solved proof again: refused, from Redis's memory of it
            replay = post(conf, payload=payload, addr="10.20.0.2")
            assert replay.status_code == 400
            assert post(conf).status_code == 200
            third = post(conf)
            assert third.status_code == 429
            assert "забагато повідомлень" in third.content.decode()  # in the form's language
            abuse._refused_here.clear()  # another server process: it asks Redis
            assert post(conf).status_code == 429
            assert post(conf, addr="10.20.0.3").status_code == 200  # another address may
            keys = [k.decode() for k in client.scan_iter(match=f"{prefix}:*")]
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    assert Contact.objects.count() == 3
    assert any(":hl:rate:h:" in k for k in keys) and any(":altcha:" in k for k in keys)
    assert not any("10.20.0" in k for k in keys)  # the address only as a keyed hash


@pytest.mark.django_db
def test_with_redis_down_the_form_refuses_plainly_and_writes_nothing(cast, caplog):
    conf = services.settings_ensure(cast.org_a)
    down = "redis://127.0.0.1:1/0"  # nothing listens there
    with override_settings(CACHES=_caches(down, "down")):
        page = Client().get(f"/help/{conf.slug}/?lang=uk")
        assert page.status_code == 200  # the page itself needs no cache
        for with_proof in (True, False):
            response = post(conf, with_proof=with_proof)
            assert response.status_code == 503
            assert response["Content-Type"].startswith("text/plain")
            assert response["Retry-After"] == "120"
            # in the page's language (the post carries lang=uk)
            assert "Зараз форма не може приймати повідомлення" in response.content.decode()
            assert "Traceback" not in response.content.decode()
    assert Contact.objects.count() == 0
    assert DataSubject.objects.count() == 0
    assert "rate-limit cache unavailable" in caplog.text
    assert "10.20.0.1" not in caplog.text


def test_counting_after_a_stored_message_never_fails_the_person(rf):
    """Redis lost between the check and the count: the message is stored, so the person is
    told it was sent; the miss is logged."""
    with override_settings(CACHES=_caches("redis://127.0.0.1:1/0", "down")):
        abuse.count(rf.post("/help/x/", REMOTE_ADDR="10.20.0.9"), proof=True)  # no exception


@pytest.mark.parametrize(("url", "backend", "location"), [
    ("redis://cache.internal:6379/2", "bridgeway.core.cache.RedisCache",
     "redis://cache.internal:6379/2"),
    ("", "django.core.cache.backends.db.DatabaseCache", "bridgeway_rate_cache"),
])
def test_the_setting_picks_redis_only_when_configured(monkeypatch, url, backend, location):
    monkeypatch.delenv("REDIS_URL", raising=False)
    if url:
        monkeypatch.setenv("BRIDGEWAY_REDIS_URL", url)
    else:
        monkeypatch.delenv("BRIDGEWAY_REDIS_URL", raising=False)
    loaded = runpy.run_path(str(SETTINGS))
    rate = loaded["CACHES"][loaded["RATE_LIMIT_CACHE"]]
    assert (rate["BACKEND"], rate["LOCATION"]) == (backend, location)
    if url:  # Django's RedisCache, keeping its client (bridgeway/core/cache.py)
        assert issubclass(import_string(rate["BACKEND"]), RedisCache)
        assert loaded["CACHES"]["default"]["LOCATION"] == url
    assert loaded["ALTCHA_CACHE_ALIAS"] == loaded["RATE_LIMIT_CACHE"]
    if not url:  # the database cache never culls a counter or a spent proof early
        assert rate["OPTIONS"]["MAX_ENTRIES"] >= 1_000_000
        assert rate["LOCATION"] != loaded["CACHES"]["default"]["LOCATION"]


def test_the_test_settings_keep_a_separate_rate_limit_cache():
    assert caches["ratelimit"] is not caches["default"]
