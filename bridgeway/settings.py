"""Bridgeway settings. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from bridgeway.env import (
    DevSecrets,
    env_bool,
    env_int,
    env_list,
    env_str,
    keyring_from_env,
    required_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BRIDGEWAY_VAR_DIR") or BASE_DIR / "var")

# DEBUG is off unless explicitly turned on (`make run` does).
DEBUG = env_bool("BRIDGEWAY_DEBUG", False)
_dev = DevSecrets(VAR_DIR / "dev-secrets.json")

SECRET_KEY = required_key("BRIDGEWAY_SECRET_KEY", debug=DEBUG, dev=_dev).hex()
# Keyed hash chain of the audit log: without this key nobody can forge a consistent chain.
AUDIT_CHAIN_KEY = required_key("BRIDGEWAY_AUDIT_KEY", debug=DEBUG, dev=_dev)
# Encrypts TOTP secrets and recovery-code seeds at rest (allauth stores them in the database).
MFA_SECRETS_KEY = required_key("BRIDGEWAY_MFA_KEY", debug=DEBUG, dev=_dev)
# Key-encryption keys (KEKs) wrap each data subject's data key. Several can be loaded at once
# (rotation, per-organisation keys); BRIDGEWAY_KEK_ACTIVE names the one new subjects get.
BRIDGEWAY_KEKS = keyring_from_env("BRIDGEWAY_KEKS", debug=DEBUG, dev=_dev)
BRIDGEWAY_KEK_ACTIVE = env_str("BRIDGEWAY_KEK_ACTIVE") or next(iter(BRIDGEWAY_KEKS))
if BRIDGEWAY_KEK_ACTIVE not in BRIDGEWAY_KEKS:
    raise ImproperlyConfigured(
        f"BRIDGEWAY_KEK_ACTIVE names key id {BRIDGEWAY_KEK_ACTIVE!r}, which BRIDGEWAY_KEKS does "
        "not hold.")
# Keys the blind indexes (HMAC of normalised values) used for exact search and duplicate warnings.
BLIND_INDEX_KEY = required_key("BRIDGEWAY_BLIND_INDEX_KEY", debug=DEBUG, dev=_dev)

ALLOWED_HOSTS = env_list(
    "BRIDGEWAY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("BRIDGEWAY_CSRF_TRUSTED_ORIGINS", [])

# Tests turn this on: audit_record refuses a code no app registered (<app>/audit_codes.py).
BRIDGEWAY_AUDIT_CODES_STRICT = False

INSTALLED_APPS = [
    "bridgeway.core",
    "bridgeway.accounts",
    "bridgeway.protection",
    "bridgeway.orgs",
    "bridgeway.cases",
    "bridgeway.notifications",
    "bridgeway.referrals",
    "bridgeway.helpline",
    "altcha_django",
    "bridgeway.civicspace",
    "bridgeway.surveys",
    "bridgeway.funding",
    "bridgeway.outreach",
    "bridgeway.stats",
    "bridgeway.estimation",
    "bridgeway.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # The client's address from X-Forwarded-For when proxies are trusted (core/middleware.py)
    "bridgeway.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Refuses a flood on the public help form before the rest of the stack (helpline/middleware.py)
    "bridgeway.helpline.middleware.PublicFormGuardMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bridgeway.core.middleware.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bridgeway.core.middleware.UserLanguageMiddleware",
    "bridgeway.core.dates.TimeZoneMiddleware",
    "bridgeway.accounts.middleware.MfaRequiredMiddleware",
    "bridgeway.protection.access.AccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "bridgeway.urls"
WSGI_APPLICATION = "bridgeway.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bridgeway" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bridgeway.core.context_processors.navigation",
            ],
            # Words for codes and dates as the reader reads them, on every page (core/labels.py,
            # core/dates.py).
            "builtins": ["bridgeway.core.templatetags.words"],
        },
    }
]

# Same HTML as Django's form templates, written in Python for the common widgets (speed).
FORM_RENDERER = "bridgeway.core.form_renderer.FastFormRenderer"

# Persistent connections: each server process keeps its connection for a minute of requests
# instead of opening one per request. psycopg's pool (OPTIONS["pool"]) would add nothing with
# gunicorn's sync workers: one request at a time per process, each keeping its one connection.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'bridgeway.sqlite3'}",
        conn_max_age=env_int("BRIDGEWAY_DB_CONN_MAX_AGE", 60),
        # A kept connection is checked (one cheap round trip per request that uses the database,
        # only when it was kept from an earlier request) so a restarted database costs no error.
        conn_health_checks=True,
    )
}
# PostgreSQL cancels any statement running longer than this (milliseconds; 0 = no limit), so
# no request can hold a web worker beyond gunicorn's --timeout (docs/operations.md, "Bounded
# requests"). Run the worker and long maintenance commands (migrate) with 0.
BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS = env_int("BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS", 20_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={max(BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS, 0)}")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no var/ yet; SQLite cannot create the folder of its file.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers queue
    # instead of failing half-way; WAL lets readers continue while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite builds the index without
    # the extra columns, which is all a small installation needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One shared cache for all server processes (login throttling, the public form's rate limits
# and proof-of-work replay keys). Production: Redis (BRIDGEWAY_REDIS_URL, or REDIS_URL as
# before). Without it, the database cache (`manage.py createcachetable`).
REDIS_URL = env_str("BRIDGEWAY_REDIS_URL") or env_str("REDIS_URL")
# Redis that does not answer within a second is treated as down (the public form then answers
# 503, see helpline/abuse.py) instead of holding a worker.
_REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CACHES = {
    "default": (
        {"BACKEND": "bridgeway.core.cache.RedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": _REDIS_OPTIONS}
        if REDIS_URL
        # Shared between all server processes, so login throttling holds across workers.
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "bridgeway_cache"}
    ),
    # The public form's rate limits and ALTCHA replay keys: their own table without Redis, so
    # that the default cache's culling (past MAX_ENTRIES it deletes a third of the table) never
    # forgets a counter or lets a solved proof-of-work be replayed.
    "ratelimit": (
        {"BACKEND": "bridgeway.core.cache.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "rl", "OPTIONS": _REDIS_OPTIONS}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
              "LOCATION": "bridgeway_rate_cache", "OPTIONS": {"MAX_ENTRIES": 2_000_000}}
    ),
}
RATE_LIMIT_CACHE = "ratelimit"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- allauth -----------------------------------------------------------------------------
ACCOUNT_ADAPTER = "bridgeway.accounts.adapters.AccountAdapter"
MFA_ADAPTER = "bridgeway.accounts.adapters.MfaAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # an accepted invitation proves the address
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("BRIDGEWAY_REAUTH_SECONDS", 300)
# Throttling and lockout (bridgeway/accounts/throttle.py): at most 10 failed logins a minute
# from one address; an account locks for 15 minutes after 5 failures from one address (only
# there: "key" counts per account and address); and, everywhere, after 40 failures in an hour.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/15m/key", "login_failed_account": "40/h/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Bridgeway"
MFA_RECOVERY_CODE_COUNT = 10

# The menu's entries and counts are kept this many seconds per person in each server process
# (core.queues); the home page and any POST count afresh. 0: every page counts.
BRIDGEWAY_MENU_SECONDS = env_int("BRIDGEWAY_MENU_SECONDS", 10)

# --- sessions and cookies ----------------------------------------------------------------
# Idle timeout: a session dies after this long idle. IdleTimeoutMiddleware pushes the expiry
# forward by saving the session at most once a minute (not on every request: a write per page).
SESSION_COOKIE_AGE = env_int("BRIDGEWAY_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("BRIDGEWAY_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# How many reverse proxies stand in front of the server and append to X-Forwarded-For (nginx's
# `proxy_params` does): the client's address, which the per-address limits count, is read from
# there (core.middleware.ClientAddressMiddleware). 0: the connection's own address.
BRIDGEWAY_TRUSTED_PROXY_COUNT = env_int("BRIDGEWAY_TRUSTED_PROXY_COUNT", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool(
    "BRIDGEWAY_BEHIND_TLS_PROXY", False) else None
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("BRIDGEWAY_HSTS_SECONDS", 31536000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict policy: nothing inline, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- languages ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("uk", "Українська"),
    ("ro", "Română"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("ar", "العربية"),  # right to left: base.html sets dir="rtl" from get_language_bidi
]
# --- the helpline's public form (bridgeway/helpline/abuse.py) --------------------------------
# Rate limits count per network address kept only as a keyed hash whose key changes every day,
# so yesterday's counters cannot be linked to today's, nor to an address.
HELPLINE_RATE_KEY = hmac.new(bytes.fromhex(SECRET_KEY), b"bridgeway.helpline.rate",
                             hashlib.sha256).digest()
HELPLINE_RATE_PER_HOUR = env_int("BRIDGEWAY_HELPLINE_RATE_PER_HOUR", 10)
# Without proof-of-work (no JavaScript) a submission is held for a person's look, and fewer go.
HELPLINE_RATE_NO_PROOF_PER_DAY = env_int("BRIDGEWAY_HELPLINE_RATE_NO_PROOF_PER_DAY", 3)
HELPLINE_MIN_SECONDS = env_int("BRIDGEWAY_HELPLINE_MIN_SECONDS", 3)
HELPLINE_MAX_BODY = 64 * 1024
HELPLINE_QUICK_EXIT_URL = env_str("BRIDGEWAY_HELPLINE_QUICK_EXIT_URL") or "https://www.wikipedia.org/"
# ALTCHA proof-of-work: the challenge is put in the page (no challenge endpoint, no session,
# no cookie); the widget script is the copy shipped with altcha-django, served by the app.
ALTCHA_HMAC_SECRET = env_str("BRIDGEWAY_ALTCHA_SECRET") or hmac.new(
    bytes.fromhex(SECRET_KEY), b"bridgeway.altcha", hashlib.sha256).hexdigest()
ALTCHA_WIDGET_CHALLENGE_MODE = "inline"
ALTCHA_CHALLENGE_ENDPOINT_ENABLED = False
ALTCHA_WIDGET_JS_SOURCE = "vendored"
ALTCHA_CACHE_ALIAS = RATE_LIMIT_CACHE  # replay protection: the same shared cache
ALTCHA_CHALLENGE = {"cost": env_int("BRIDGEWAY_ALTCHA_COST", 5000), "expires_seconds": 3600}

LOCALE_PATHS = [BASE_DIR / "bridgeway" / "locale"]
# English with the day before the month (core/dates.py); other languages keep Django's formats.
FORMAT_MODULE_PATH = ["bridgeway.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("BRIDGEWAY_TIME_ZONE") or "UTC"

# --- static files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": VAR_DIR / "files"}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- e-mail ------------------------------------------------------------------------------
_smtp = {
    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPTIONS": {
        "host": env_str("BRIDGEWAY_EMAIL_HOST") or "localhost",
        "port": env_int("BRIDGEWAY_EMAIL_PORT", 587),
        "username": env_str("BRIDGEWAY_EMAIL_USER") or "",
        "password": env_str("BRIDGEWAY_EMAIL_PASSWORD") or "",
        "use_tls": env_bool("BRIDGEWAY_EMAIL_TLS", True),
    },
}
MAILERS = {
    "default": {"BACKEND": env_str("BRIDGEWAY_EMAIL_BACKEND")} if env_str("BRIDGEWAY_EMAIL_BACKEND")
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"} if DEBUG else _smtp
}
DEFAULT_FROM_EMAIL = env_str("BRIDGEWAY_FROM_EMAIL") or "Bridgeway <no-reply@localhost>"
BRIDGEWAY_INVITATION_DAYS = env_int("BRIDGEWAY_INVITATION_DAYS", 7)
# Where people reach the platform: links in notification e-mails start with it.
BRIDGEWAY_BASE_URL = env_str("BRIDGEWAY_BASE_URL") or "http://127.0.0.1:8000"

# --- background tasks --------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Background jobs (core.jobs, docs/operations.md "Background jobs"): a worker on another host is
# taken for dead when its lease was not renewed for this long (one on this host as soon as its
# process is gone); a job is started again after its worker died until it has had this many
# attempts, then marked failed; `manage.py worker` looks for dead jobs this often.
BRIDGEWAY_JOB_LEASE_SECONDS = env_int("BRIDGEWAY_JOB_LEASE_SECONDS", 120)
BRIDGEWAY_JOB_MAX_ATTEMPTS = env_int("BRIDGEWAY_JOB_MAX_ATTEMPTS", 2)
BRIDGEWAY_JOB_RECOVER_SECONDS = env_int("BRIDGEWAY_JOB_RECOVER_SECONDS", 300)

# --- REST API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bridgeway.accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bridgeway.accounts.api_auth.IsAuthenticatedWithMfa"],
    "DEFAULT_SCHEMA_CLASS": "bridgeway.core.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("BRIDGEWAY_API_RATE") or "600/minute"},
    "EXCEPTION_HANDLER": "bridgeway.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bridgeway API",
    "DESCRIPTION": "Organisations, memberships, invitations and the audit log. "
    "Authenticate with a session or with `Authorization: Token <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Error answers (one Error schema) and integer path parameters, for every operation.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "bridgeway.core.api_schema.document_errors"],
    "ENUM_NAME_OVERRIDES": {
        "ReleaseKindEnum": "bridgeway.stats.models.Release.Kind",
        "InterruptionEnum": "bridgeway.core.models.BackgroundJob.Interruption",
        "ReleaseStatusEnum": "bridgeway.stats.models.Release.Status",
        "TraffickingStatusEnum": "bridgeway.cases.codes.TraffickingStatus",
        "CaseStatusEnum": "bridgeway.cases.codes.CaseStatus",
        "ExploitationEnum": "bridgeway.cases.codes.Exploitation",
        "RelationshipEnum": "bridgeway.cases.codes.Relationship",
        "ErasureStatusEnum": "bridgeway.protection.models.ErasureRequest.Status",
        "DecisionStateEnum": "bridgeway.cases.models.Decision.State",
        "RoleEnum": "bridgeway.orgs.codes.Role",
        "MechanismRoleEnum": "bridgeway.orgs.models.MechanismMember.MemberRole",
        "ReferralStatusEnum": "bridgeway.referrals.codes.Status",
        "ServiceEnum": "bridgeway.orgs.codes.Service",
        "ReferralReasonEnum": "bridgeway.referrals.codes.ReferralReason",
        "DeclineReasonEnum": "bridgeway.referrals.codes.DeclineReason",
        "CivicAnswerEnum": "bridgeway.civicspace.codes.Answer",
        "CivicIncidentStatusEnum": "bridgeway.civicspace.codes.Status",
        "EstimationTaskStatusEnum": "bridgeway.estimation.models.TaskStatus",
        "EstimateMethodEnum": "bridgeway.estimation.models.Estimate.Method",
        "ReferralUrgencyEnum": "bridgeway.referrals.codes.Urgency",
        "HelplineChannelEnum": "bridgeway.helpline.codes.Channel",
        "HelplineOutcomeEnum": "bridgeway.helpline.codes.Outcome",
        "HelplineStatusEnum": "bridgeway.helpline.codes.Status",
        "HelplineUrgencyEnum": "bridgeway.helpline.codes.Urgency",
        "HelplineDirectionEnum": "bridgeway.helpline.codes.Direction",
        "HelplineCallerTypeEnum": "bridgeway.helpline.codes.CallerType",
        "HelplineRelationEnum": "bridgeway.helpline.codes.Relation",
        "HelplineHeldReasonEnum": "bridgeway.helpline.codes.HeldReason",
        "HelplineSourceEnum": "bridgeway.helpline.codes.Source",
        "HelplineReachKindEnum": "bridgeway.helpline.codes.ReachKind",
    },
}

# --- logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "bridgeway.core.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"],
                    "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("BRIDGEWAY_LOG_LEVEL") or "INFO"},
    "loggers": {
        # Request bodies and tracebacks with local variables never reach the logs.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
ADMINS: list[tuple[str, str]] = []
DEFAULT_EXCEPTION_REPORTER_FILTER = "bridgeway.core.logging.NoPersonalDataReporterFilter"

BRIDGEWAY_DEMO_ALLOWED = DEBUG

# --- personal data -----------------------------------------------------------------------
BRIDGEWAY_DOCUMENT_MAX_BYTES = env_int("BRIDGEWAY_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Flag a person who opens more than this many subjects' data within the window.
BRIDGEWAY_ACCESS_BURST = env_int("BRIDGEWAY_ACCESS_BURST", 25)
BRIDGEWAY_ACCESS_BURST_MINUTES = env_int("BRIDGEWAY_ACCESS_BURST_MINUTES", 10)
# The case list's name search looks at the cases of at most this many matching people (and says
# so when more match), so a common name cannot make one request join thousands.
BRIDGEWAY_NAME_SEARCH_LIMIT = env_int("BRIDGEWAY_NAME_SEARCH_LIMIT", 500)
# Statistics imports: the largest upload accepted, and where uploads wait for the background
# import (outside the web root, encrypted).
BRIDGEWAY_IMPORT_MAX_BYTES = env_int("BRIDGEWAY_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
BRIDGEWAY_IMPORT_DIR = VAR_DIR / "imports"
# An import of at most this many bytes runs inside the request; larger ones go to the worker.
BRIDGEWAY_IMPORT_INLINE_BYTES = env_int("BRIDGEWAY_IMPORT_INLINE_BYTES", 2 * 1024 * 1024)
# A dashboard counts a dataset without pre-computed counts itself up to this many records
# (about 0.2 s); a larger one is counted by the worker and shown as "being counted".
BRIDGEWAY_STATS_INLINE_ROWS = env_int("BRIDGEWAY_STATS_INLINE_ROWS", 50_000)
# An export of at most this many rows is built inside the request; a larger one becomes a
# background job whose file waits sealed under BRIDGEWAY_EXPORT_DIR until it is downloaded (then
# deleted), or for BRIDGEWAY_EXPORT_KEEP_HOURS at most.
BRIDGEWAY_STATS_INLINE_EXPORT_ROWS = env_int("BRIDGEWAY_STATS_INLINE_EXPORT_ROWS", 50_000)
BRIDGEWAY_EXPORT_DIR = VAR_DIR / "exports"
BRIDGEWAY_EXPORT_KEEP_HOURS = env_int("BRIDGEWAY_EXPORT_KEEP_HOURS", 24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A larger upload is spooled to an unnamed temporary file encrypted under a key held only in
# memory (protection.spool), never in clear as Django's default handler does.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "bridgeway.protection.spool.EncryptedTemporaryFileUploadHandler"]
