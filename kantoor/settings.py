"""Kantoor settings: one module, driven by environment variables.

Production defaults are safe (DEBUG off, no default secret, HTTPS cookies); development
conveniences only apply when DEBUG is on. See docs/architecture.md for every variable.
"""

import os
from pathlib import Path

import dj_database_url
import dj_email_url
import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KANTOOR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or DEBUG=1 for local development)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "lucide",
    "kantoor.shops",
    "kantoor.catalog",
    "kantoor.customers",
    "kantoor.numbering",
    "kantoor.orders",
    "kantoor.checkout",
    "kantoor.invoices",
    "kantoor.payments",
    "kantoor.messaging",
    "kantoor.quotes",
    "kantoor.returns",
    "kantoor.reports",
    "kantoor.accounting",
    "kantoor.storefront",
    "kantoor.backoffice",
    "kantoor.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kantoor.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kantoor.core.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kantoor.core.middleware.RejectNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kantoor.urls"
WSGI_APPLICATION = "kantoor.wsgi.application"
ASGI_APPLICATION = "kantoor.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kantoor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kantoor.shops.context_processors.status_appearance",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite under var/ by default; PostgreSQL (psycopg 3) through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kantoor.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "shops.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "kantoor" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
# Kantoor's own named formats per language (MEDIUM_DATE_FORMAT: "11 okt. 2026" / "11 Oct 2026").
FORMAT_MODULE_PATH = ["kantoor.formats"]
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# kantoor/static: the files of the project's own templates (kantoor/templates), e.g. the favicon.
STATICFILES_DIRS = [BASE_DIR / "kantoor" / "static", ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# Uploaded files (photos with a return) through Django's storage API. They are private: no
# MEDIA_URL serves them; views that check who may see a file stream it.
MEDIA_ROOT = Path(os.environ.get("KANTOOR_MEDIA_ROOT", VAR_DIR / "media"))

# --- E-mail ---------------------------------------------------------------------------------
if os.environ.get("EMAIL_URL"):
    _email = dj_email_url.parse(os.environ["EMAIL_URL"])
    if "EMAIL_BACKEND" not in _email:
        raise ImproperlyConfigured(
            "EMAIL_URL: use smtp://, submission:// (STARTTLS), smtps://, console:// or file://."
        )
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    if _email.get("EMAIL_FILE_PATH"):
        EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
else:
    # Development: each e-mail whole in a file under var/mail/, one line on the console.
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND",
        "kantoor.messaging.dev_mail.DevelopmentEmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend",
    )
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
# A mail server that hangs must not hold a worker (or a request) for ever.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# The address customers and payment providers reach this installation at: links in e-mails
# (payment links) and the webhook address given to a payment provider are built on it.
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Payment provider keys are stored encrypted with a key derived from this secret (default: the
# SECRET_KEY); set it to keep the keys readable when SECRET_KEY is rotated.
PAYMENT_KEYS_SECRET = os.environ.get("PAYMENT_KEYS_SECRET", "")

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kantoor <no-reply@localhost>")

# --- Cache ----------------------------------------------------------------------------------
# The abuse limits (kantoor/core/throttle.py: log-ins, password e-mails, payment-link guessing)
# count in this cache. Production runs several processes: set REDIS_URL (or CACHE_URL) so they
# count together, e.g. redis://127.0.0.1:6379/1. Unset: each process's own memory.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "kantoor",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
# Unset broker = embedded mode: tasks run in-process after commit; nothing needs Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hold up the request that queued a message (the sweep sends it).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

# --- Messages (outbox) ----------------------------------------------------------------------
# The sweep sends what is due: celery beat with Redis; without a broker a thread of the web
# server (kantoor/messaging/embedded.py) or `manage.py send_queued_messages` from cron.
MESSAGING_SWEEP_SECONDS = int(os.environ.get("KANTOOR_MESSAGE_SWEEP_SECONDS", "30"))
# A message left "sending" this long (its worker died mid-send) is sent again.
MESSAGING_SENDING_TIMEOUT = int(os.environ.get("KANTOOR_MESSAGE_SENDING_TIMEOUT", "600"))
# Sent quotes past their last day expire, reminders go out: hourly (the embedded sweeper runs
# the same job on the same period, kantoor/quotes/apps.py).
QUOTES_SWEEP_SECONDS = int(os.environ.get("KANTOOR_QUOTES_SWEEP_SECONDS", "3600"))
# The statistics' daily aggregates are settled for every shop this often (kantoor/reports:
# the late-committed changes a page's own refresh may not have seen yet).
STATISTICS_SWEEP_SECONDS = int(os.environ.get("KANTOOR_STATISTICS_SWEEP_SECONDS", "600"))
# Exports (kantoor/reports/exports): up to EXPORTS_DIRECT_ROWS rows download at once as a
# stream; more run in the background (a Celery worker, or a thread of the web server) into a
# file under EXPORTS_ROOT that can be downloaded for EXPORTS_KEEP_DAYS days. The sweep deletes
# expired files and starts again an export whose start was lost.
EXPORTS_ROOT = Path(os.environ.get("KANTOOR_EXPORTS_ROOT", VAR_DIR / "exports"))
EXPORTS_DIRECT_ROWS = int(os.environ.get("KANTOOR_EXPORTS_DIRECT_ROWS", "5000"))
EXPORTS_KEEP_DAYS = 7
EXPORTS_SWEEP_SECONDS = int(os.environ.get("KANTOOR_EXPORTS_SWEEP_SECONDS", "300"))
# Accounting links (kantoor/accounting): pending bookings are pushed after the invoice's commit
# and by the sweep, this often; the base URL of a package's API can be overridden (tests, a
# package's sandbox): {"exact_online": "https://…", "twinfield": "…", "acumulus": "…"}.
ACCOUNTING_SWEEP_SECONDS = int(os.environ.get("KANTOOR_ACCOUNTING_SWEEP_SECONDS", "60"))
ACCOUNTING_BASE_URLS: dict[str, str] = {}
CELERY_BEAT_SCHEDULE = {
    "send-queued-messages": {
        "task": "kantoor.messaging.send_queued_messages",
        "schedule": float(MESSAGING_SWEEP_SECONDS),
    },
    "expire-quotes": {
        "task": "kantoor.quotes.expire_quotes",
        "schedule": float(QUOTES_SWEEP_SECONDS),
    },
    "refresh-statistics": {
        "task": "kantoor.reports.refresh_statistics",
        "schedule": float(STATISTICS_SWEEP_SECONDS),
    },
    "push-bookings": {
        "task": "kantoor.accounting.push_due_bookings",
        "schedule": float(ACCOUNTING_SWEEP_SECONDS),
    },
    "sweep-exports": {
        "task": "kantoor.reports.sweep_exports",
        "schedule": float(EXPORTS_SWEEP_SECONDS),
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS-terminating proxy, set these (see README); off by default so `make run` works.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
