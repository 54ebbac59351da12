"""Comity settings: one module, read from the environment with strict parsing.

Defaults give a zero-setup node (SQLite in ./var, console e-mail, local cache). Production sets
COMITY_SECRET_KEY (or COMITY_SECRET_KEY_FILE), COMITY_DATABASE_URL and COMITY_ALLOWED_HOSTS.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from comity.lib.env import env_bool, env_int, env_list, env_str
from comity.lib.throttle import throttles_from_env

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("COMITY_DATA_DIR") or (Path.cwd() / "var")).resolve()

# A development key that the `comity.E001` check refuses outside DEBUG and tests.
DEFAULT_SECRET_KEY = "comity-insecure-development-key-do-not-use-in-production"  # noqa: S105 - the check refuses it in production
SECRET_KEY = env_str("COMITY_SECRET_KEY") or DEFAULT_SECRET_KEY
DEBUG = env_bool("COMITY_DEBUG", False)
COMITY_DEMO = env_bool("COMITY_DEMO", False)
ALLOWED_HOSTS = env_list("COMITY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("COMITY_CSRF_TRUSTED_ORIGINS", [])

# States hosted by this installation (ISO 3166-1 alpha-3). One code: a node; several: a hub.
# Empty: no restriction (development, tests). Memberships can only be created for hosted States.
COMITY_HOSTED_STATES = [code.upper() for code in env_list("COMITY_HOSTED_STATES", [])]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth, so that our templates (allauth/layouts/*) override its bare defaults.
    "comity.web",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "csp",
    "comity.core",
    "comity.accounts",
    "comity.directory",
    "comity.drafting",
    "comity.cases",
    "comity.exchange",
    "comity.knowledge",
    "comity.api",
    "django_tasks",
    "django_tasks_db",  # always installed, so switching to the database backend needs no migrate
]

# Background tasks (deadline reminders): run immediately by default (zero setup, tests);
# COMITY_TASKS_BACKEND=database stores them for `comity worker`. Since django-tasks 0.12 the
# database backend is the separate package django-tasks-db (app and backend `django_tasks_db`).
COMITY_TASKS_BACKEND = (env_str("COMITY_TASKS_BACKEND") or "immediate").lower()
if COMITY_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif COMITY_TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        f"COMITY_TASKS_BACKEND must be 'immediate' or 'database', not {COMITY_TASKS_BACKEND!r}"
    )

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "comity.api.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "comity.accounts.middleware.TenancyMiddleware",
    "comity.accounts.middleware.UserPreferencesMiddleware",
    "comity.accounts.middleware.RequireMFAMiddleware",
    "comity.lib.throttle.ThrottleMiddleware",  # after the principal and the user's language
]

ROOT_URLCONF = "comity.urls"
WSGI_APPLICATION = "comity.wsgi.application"
ASGI_APPLICATION = "comity.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comity.web.context_processors.comity",
            ],
            "builtins": ["comity.web.templatetags.comity_tags"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_database_url = env_str("COMITY_DATABASE_URL") or env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "comity.sqlite3"),
            "OPTIONS": {
                # Writers take the lock at BEGIN, so read-then-write transactions (the audit chain
                # head) serialise instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Knowledge-base search (comity.knowledge.search): "sqlite" (FTS5) or "postgresql" (full text);
# it must match the database, so the default follows the database engine.
_search_default = "postgresql" if "postgresql" in DATABASES["default"]["ENGINE"] else "sqlite"
COMITY_SEARCH_BACKEND = (env_str("COMITY_SEARCH_BACKEND") or _search_default).lower()
if COMITY_SEARCH_BACKEND not in ("sqlite", "postgresql"):
    raise ImproperlyConfigured(
        f"COMITY_SEARCH_BACKEND must be 'sqlite' or 'postgresql', not {COMITY_SEARCH_BACKEND!r}"
    )

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_redis_url = env_str("COMITY_REDIS_URL")
if _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}

# --- Accounts, sessions, passwords ----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

ACCOUNT_ADAPTER = "comity.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # accounts are created by operators, not by sign-up
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Throttling and lockout: 10 failed logins a minute per IP, and 5 failures in 15 minutes lock the
# account key (username/e-mail) for the rest of the window, whatever the IP.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("COMITY_LOGIN_FAILED_LIMIT") or "10/m/ip,5/15m/key",
    "login": "30/m/ip",
}
MFA_ADAPTER = "comity.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("COMITY_TOTP_ISSUER") or "Comity"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_PASSKEY_LOGIN_ENABLED = False

HTTPS = env_bool("COMITY_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("COMITY_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "comity_session" if not HTTPS else "__Host-comity_session"
CSRF_COOKIE_NAME = "comity_csrf" if not HTTPS else "__Host-comity_csrf"
SECURE_SSL_REDIRECT = env_bool("COMITY_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("COMITY_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict CSP: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the TOTP QR code is a data: URI
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Throttling of the public pages and API (comity.lib.throttle) ---------------------------
# (path prefix, rates): the first prefix that matches the path decides; other paths, the node
# protocol (/node/v1/) and static files are never throttled. A rate is N/period[/per] like
# allauth's: period s, m or h (or e.g. 15m); per `ip` (the default) or `user` (the signed-in user,
# or the token's owner under /api/; anonymous clients by IP). A browsing person stays far below
# these; a scraper or a rendering loop does not. Counters live in CACHES["default"]: per process
# unless COMITY_REDIS_URL is set. COMITY_THROTTLES replaces the list
# ("/knowledge/digest/pdf/=10/m/user; /knowledge/=120/m/user"; "off": no throttling).
_DEFAULT_THROTTLES = [
    # WeasyPrint lays out up to 200 cases: seconds of CPU per PDF. 10 a minute, 60 an hour.
    ("/knowledge/digest/pdf/", "10/m/user,60/h/user"),
    # The digest as a page: queries for up to 200 cases, no layout.
    ("/knowledge/digest/", "30/m/user"),
    # Search (full text and facet counts), entries, articles; 2 a second, sustained for a minute.
    ("/knowledge/", "120/m/user"),
    ("/api/v1/knowledge/", "120/m/user"),
    # Directory pages (search-as-you-type waits 400 ms between requests) and API, legal basis.
    ("/directory/", "120/m/user"),
    ("/api/v1/directory/", "120/m/user"),
    ("/api/v1/legal-basis", "120/m/user"),
    # Generated on every request; a client needs it once. (/api/v1/health, for monitors, and the
    # cached /api/v1/schemas/request.json are cheap and stay unthrottled, like the home page.)
    ("/api/v1/openapi.json", "30/m/user"),
]
COMITY_THROTTLES = throttles_from_env(env_str("COMITY_THROTTLES"), _DEFAULT_THROTTLES)
# Behind N reverse proxies that append to X-Forwarded-For, the client address is the N-th from
# the right. 0 (the default): X-Forwarded-For is ignored and REMOTE_ADDR is the client. Read by
# allauth, so it applies to the login limits (ACCOUNT_RATE_LIMITS) as well.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("COMITY_TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- API tokens -----------------------------------------------------------------------------
COMITY_TOKEN_MAX_DAYS = env_int("COMITY_TOKEN_MAX_DAYS", 365, minimum=1)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The six UN languages, each named in itself (a language switch must be readable to its reader).
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "comity_language"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True  # serve straight from the apps in the demo; collectstatic in production
MEDIA_ROOT = DATA_DIR / "media"

# Attachments (comity.cases.storage): encrypted at rest with AES-256-GCM. COMITY_ATTACHMENT_KEYS is
# a comma-separated list of `keyid:base64(32 bytes)`; the first encrypts, every one decrypts (keep
# old keys after a rotation). Unset: one key derived from SECRET_KEY (development only; the
# `comity.W002` check warns when DEBUG is off).
# Default 2 GiB: files are streamed in chunks (upload, storage, exchange), never held in memory.
COMITY_ATTACHMENT_MAX_BYTES = env_int("COMITY_ATTACHMENT_MAX_BYTES", 2 * 1024 * 1024 * 1024, minimum=1)


def _attachment_keys(raw: str | None) -> list[tuple[str, bytes]]:
    import base64
    import binascii
    import re

    keys: list[tuple[str, bytes]] = []
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        key_id, _sep, encoded = item.strip().partition(":")
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", key_id) or any(k == key_id for k, _v in keys):
            raise ImproperlyConfigured(
                f"COMITY_ATTACHMENT_KEYS: key id {key_id!r} must be 1-32 characters of A-Z a-z 0-9 _ . - and unique"
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:
            raise ImproperlyConfigured(f"COMITY_ATTACHMENT_KEYS: key {key_id!r} is not base64 of 32 bytes")
        keys.append((key_id, key))
    return keys


def _derived_attachment_key(secret: str) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"comity", info=b"comity attachments v1").derive(
        secret.encode()
    )


COMITY_ATTACHMENT_KEYS = _attachment_keys(env_str("COMITY_ATTACHMENT_KEYS"))
COMITY_ATTACHMENT_KEYS_DERIVED = not COMITY_ATTACHMENT_KEYS
if COMITY_ATTACHMENT_KEYS_DERIVED:
    COMITY_ATTACHMENT_KEYS = [("derived", _derived_attachment_key(SECRET_KEY))]

# --- Exchange between States (comity.exchange, `comity worker`) ------------------------------
# COMITY_EXCHANGE_SENDERS: threads of `comity worker` that send the outbox (1 to 32). Each one
# sends a stream (request, from State, to State) one message at a time, so order within a stream
# holds while different streams travel in parallel. Each thread keeps its own HTTP connections.
COMITY_EXCHANGE_SENDERS = env_int("COMITY_EXCHANGE_SENDERS", 4, minimum=1)
if COMITY_EXCHANGE_SENDERS > 32:
    raise ImproperlyConfigured(f"COMITY_EXCHANGE_SENDERS={COMITY_EXCHANGE_SENDERS} is above the maximum 32")
# COMITY_EXCHANGE_BATCH: messages of different streams a sender posts together to a peer (1 to
# 64; 1: one message per post). A peer that does not take several (415) gets one at a time.
COMITY_EXCHANGE_BATCH = env_int("COMITY_EXCHANGE_BATCH", 16, minimum=1)
if COMITY_EXCHANGE_BATCH > 64:
    raise ImproperlyConfigured(f"COMITY_EXCHANGE_BATCH={COMITY_EXCHANGE_BATCH} is above the maximum 64")
# COMITY_EXCHANGE_LEASE_SECONDS: how long a worker holds a message it sends (2 to 3600). The
# worker renews the lease every third of it while the upload or the post runs. After a crash,
# another worker takes the message again once the lease has run out.
COMITY_EXCHANGE_LEASE_SECONDS = env_int("COMITY_EXCHANGE_LEASE_SECONDS", 15, minimum=2)
if COMITY_EXCHANGE_LEASE_SECONDS > 3600:
    raise ImproperlyConfigured(
        f"COMITY_EXCHANGE_LEASE_SECONDS={COMITY_EXCHANGE_LEASE_SECONDS} is above the maximum 3600"
    )

EMAIL_BACKEND = env_str("COMITY_EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("COMITY_FROM_EMAIL") or "comity@localhost"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("COMITY_LOG_LEVEL") or "WARNING"},
    # WeasyPrint warns at every PDF when the system lacks HarfBuzz-Subset and it subsets fonts
    # with fontTools instead: same output, nothing for a user to act on; its errors still show.
    "loggers": {"weasyprint": {"level": "ERROR"}},
}

# Labels used by system checks and templates.
COMITY_NAME = _("Comity")

# The demo runs with DEBUG off and no attachment keys on purpose; say nothing about it there.
SILENCED_SYSTEM_CHECKS = ["comity.W002"] if COMITY_DEMO else []
