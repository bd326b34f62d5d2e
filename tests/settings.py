"""Test settings: the production settings with fixed test keys, fast hashing and local caches.

DATABASE_URL chooses the database (SQLite in a temporary file by default; `.ci/run` also runs
the suite on PostgreSQL).
"""

import os

os.environ.setdefault("BRIDGEWAY_SECRET_KEY", "dGVzdC1zZWNyZXQta2V5LWJyaWRnZXdheS0wMDAwMDA")
os.environ.setdefault("BRIDGEWAY_AUDIT_KEY", "dGVzdC1hdWRpdC1rZXktYnJpZGdld2F5LTAwMDAwMDA")
os.environ.setdefault("BRIDGEWAY_MFA_KEY", "dGVzdC1tZmEta2V5LWJyaWRnZXdheS0wMDAwMDAwMDA")
os.environ.setdefault("BRIDGEWAY_KEKS", "test-1=dGVzdC1rZWstb25lLWJyaWRnZXdheS0wMDAwMDAwMDA,"
                      "test-2=dGVzdC1rZWstdHdvLWJyaWRnZXdheS0wMDAwMDAwMDA")
os.environ.setdefault("BRIDGEWAY_BLIND_INDEX_KEY", "dGVzdC1ibGluZC1pbmRleC1rZXktYnJpZGdld2F5LTA")
os.environ.setdefault("BRIDGEWAY_SSL_REDIRECT", "0")
os.environ.setdefault("BRIDGEWAY_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from bridgeway.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": "ratelimit"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
BRIDGEWAY_AUDIT_CODES_STRICT = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A test database in a file, not in memory: with an in-memory database the browser tests'
    # live server shares ONE connection between all its threads and the test (pytest-django
    # passes it over), so two requests at once interleave on it, and a session read in the
    # middle of another request's statements can come back empty: the browser was signed out
    # half-way through a walk (CI, stop 27). A file gives each thread its own connection, as
    # in production. One file per run, so two runs on one machine do not collide.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"bridgeway-test-{os.getpid()}.sqlite3")}
