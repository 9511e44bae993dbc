"""MineHub settings, driven by environment variables (see docs/configuration.md).

Development defaults are convenient; with MINEHUB_DEBUG off (the default) the hub
refuses to start without a real secret key and explicit allowed hosts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from minehub import env

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = env.path("MINEHUB_VAR_DIR", Path.cwd() / "var")

DEBUG = env.boolean("MINEHUB_DEBUG", default=False)
TESTING = "pytest" in sys.modules or env.boolean("MINEHUB_TESTING", default=False)

# --- Secrets and hosts ---------------------------------------------------------------------
# Used only with MINEHUB_DEBUG on or under tests; production refuses it (below).
_DEV_SECRET_KEY = "django-insecure-minehub-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.secret("MINEHUB_SECRET_KEY")
ALLOWED_HOSTS = env.string_list("MINEHUB_ALLOWED_HOSTS")

if DEBUG or TESTING:
    SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "MINEHUB_SECRET_KEY must be set to a random string of at least 50 characters "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(64))'). "
            "For local development set MINEHUB_DEBUG=1 instead."
        )
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "MINEHUB_ALLOWED_HOSTS must list the host names the hub is served under "
            "(comma-separated, no '*')."
        )

# --- Applications --------------------------------------------------------------------------
INSTALLED_APPS = [
    "minehub.core",
    "minehub.accounts",
    "minehub.directory",
    "minehub.library",
    "minehub.publishing",
    "minehub.search",
    "minehub.monitoring",
    "minehub.exchange",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "minehub.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "minehub.urls"
WSGI_APPLICATION = "minehub.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "minehub.core.context_processors.site",
                "minehub.exchange.context_processors.notifications",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
# SQLite in WAL mode lets the web server and the worker read while one of them writes;
# IMMEDIATE transactions take the write lock up front so concurrent writers wait
# (up to the timeout) instead of failing with "database is locked".
_SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
_database_url = env.string("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(_SQLITE_OPTIONS)
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "minehub.sqlite3",
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A test run creates and drops its own database (test_<name>).
    DATABASES["default"].setdefault("TEST", {})

# --- Cache, sessions, tasks ----------------------------------------------------------------
# Django's database cache keeps 300 entries by default and then drops a third of them at
# once: on a hub with a few hundred stations that would throw away prepared charts (a cold
# read of a long series takes a few hundred ms), rate-limit counters and the keys that make
# a retried submission idempotent. Past this bound expired entries go first.
DATABASE_CACHE_OPTIONS = {"MAX_ENTRIES": 50_000}
_cache_url = env.string("MINEHUB_CACHE_URL", "locmem" if TESTING else "db")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif _cache_url == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif _cache_url == "db":
    # Shared by all web processes (rate limits must be), with no extra service to run.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "minehub_cache",
            "OPTIONS": DATABASE_CACHE_OPTIONS,
        }
    }
else:
    raise ImproperlyConfigured("MINEHUB_CACHE_URL must be 'db', 'locmem' or a redis:// URL.")
# Progress of long background jobs (a large import). Not the database cache: a job writes
# its progress from inside the transaction that makes it all-or-nothing, where no other
# connection could read it. Files serve the one-server set-up; Redis serves many.
if "locmem" in CACHES["default"]["BACKEND"] or "redis" in CACHES["default"]["BACKEND"]:
    CACHES["progress"] = {**CACHES["default"], "KEY_PREFIX": "progress"}
else:
    CACHES["progress"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "progress",
    }

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env.boolean("MINEHUB_TASKS_IMMEDIATE", default=TESTING)
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Authentication ------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MineHub] "
ACCOUNT_ADAPTER = "minehub.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # Failed logins: per IP and per account, so one attacker cannot lock everyone out.
    "login_failed": env.string("MINEHUB_LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "signup": env.string("MINEHUB_SIGNUP_RATE_LIMIT", "20/h/ip"),
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Rate limits (sign-up, login, posting) count per client address: REMOTE_ADDR, unless the
# hub sits behind this many reverse proxies that append to X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env.integer("MINEHUB_TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MineHub"

# --- Internationalisation ------------------------------------------------------------------
LANGUAGES = [
    ("mn", _("Mongolian")),
    ("ky", _("Kyrgyz")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LANGUAGE_CODES = [code for code, _name in LANGUAGES]
LANGUAGE_CODE = env.choice("MINEHUB_DEFAULT_LANGUAGE", "mn", LANGUAGE_CODES)
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.string("MINEHUB_TIME_ZONE", "Asia/Ulaanbaatar")

# --- Static and uploaded files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MINEHUB_MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Leaflet from its XStatic package, served and hashed like the hub's own files (no CDN).
STATICFILES_DIRS = [("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR)]
WHITENOISE_AUTOREFRESH = DEBUG
# Oversized form posts are answered with 400 before anything is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.integer("MINEHUB_MAX_FORM_BYTES", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# --- Library uploads (minehub.library.files) ---
# Largest file accepted into the library; the first handler stops a larger upload while it
# arrives, so it is neither held in memory nor written to disk.
MINEHUB_MAX_UPLOAD_BYTES = env.integer("MINEHUB_MAX_UPLOAD_MB", 100, minimum=1) * 1024 * 1024
# Dense (semantic) search with the bundled embedding model when the package is installed.
MINEHUB_SEARCH_EMBEDDINGS = env.boolean("MINEHUB_SEARCH_EMBEDDINGS", default=True)
# How many of the most frequent recent queries each new web process looks up at start
# (minehub.search.warmup); 0 turns the warm-up off (it costs the database some seconds
# per process on PostgreSQL at 100k entries).
MINEHUB_SEARCH_WARMUP_QUERIES = env.integer("MINEHUB_SEARCH_WARMUP_QUERIES", 200, minimum=0)
# Seconds a web process keeps its search counts before writing them (minehub.search.
# analytics); 0 writes them during the search itself, as the tests do.
MINEHUB_SEARCH_STATS_SECONDS = env.integer(
    "MINEHUB_SEARCH_STATS_SECONDS", 0 if TESTING else 10, minimum=0
)
FILE_UPLOAD_HANDLERS = [
    "minehub.library.files.MaxSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# --- end of library uploads ---

# --- Monitoring map ---
# The map draws the shipped boundaries offline. An online tile layer goes under them only
# when configured: a URL template such as https://tile.example.org/{z}/{x}/{y}.png
# ({s} for subdomains), with the attribution its provider requires.
MINEHUB_MAP_TILES_URL = env.string("MINEHUB_MAP_TILES_URL")
MINEHUB_MAP_TILES_ATTRIBUTION = env.string("MINEHUB_MAP_TILES_ATTRIBUTION")
if MINEHUB_MAP_TILES_URL and (
    not MINEHUB_MAP_TILES_URL.startswith(("https://", "http://"))
    or any(part not in MINEHUB_MAP_TILES_URL for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured(
        "MINEHUB_MAP_TILES_URL must be an http(s) URL template with {z}, {x} and {y}, "
        "e.g. https://tile.example.org/{z}/{x}/{y}.png."
    )
# --- end of monitoring map ---

# --- E-mail --------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.string("MINEHUB_EMAIL_FROM", "MineHub <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env.string("MINEHUB_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.integer("MINEHUB_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env.string("MINEHUB_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env.secret("MINEHUB_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env.boolean("MINEHUB_EMAIL_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env.boolean("MINEHUB_EMAIL_SSL", default=EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security ------------------------------------------------------------------------------
CSRF_FAILURE_VIEW = "minehub.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not DEBUG and not TESTING:
    # Behind a TLS-terminating proxy, set MINEHUB_PROXY_SSL_HEADER=1 so Django trusts
    # X-Forwarded-Proto; MINEHUB_HTTPS=0 exists only for a closed intranet without TLS.
    _https = env.boolean("MINEHUB_HTTPS", default=True)
    SECURE_SSL_REDIRECT = _https
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https
    LANGUAGE_COOKIE_SECURE = _https
    SECURE_HSTS_SECONDS = env.integer(
        "MINEHUB_HSTS_SECONDS", 31_536_000 if _https else 0, minimum=0
    )
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("MINEHUB_HSTS_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.boolean("MINEHUB_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a near-permanent commitment for the whole domain, made by its owner
        # (MINEHUB_HSTS_PRELOAD=1), not a default; the check only reminds of it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env.boolean("MINEHUB_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.string_list("MINEHUB_CSRF_TRUSTED_ORIGINS")
# The demo administrator's e-mail address; set by `minehub load_demo`.
MINEHUB_DEMO_ADMIN_EMAIL = "admin@demo.minehub.org"
MINEHUB_SITE_NAME = env.string("MINEHUB_SITE_NAME", "MineHub")
# Where the hub is reached from outside, for links in e-mails (no request to ask then).
MINEHUB_BASE_URL = env.string(
    "MINEHUB_BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if not (DEBUG or TESTING) else "http://localhost:8000",
).rstrip("/")
ADMINS = [("Operator", address) for address in env.string_list("MINEHUB_ADMIN_EMAILS")]

# Knowledge exchange moderation: approvals that make a member trusted (their posts then
# appear at once), and the links a post may carry before it waits for review.
MINEHUB_TRUST_AFTER_APPROVED = env.integer("MINEHUB_TRUST_AFTER_APPROVED", 3, minimum=1)
MINEHUB_NEW_MEMBER_MAX_LINKS = env.integer("MINEHUB_NEW_MEMBER_MAX_LINKS", 2, minimum=0)
MINEHUB_TRUSTED_MAX_LINKS = env.integer("MINEHUB_TRUSTED_MAX_LINKS", 10, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("MINEHUB_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
