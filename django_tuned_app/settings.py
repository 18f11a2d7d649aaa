"""Settings from the environment, read once; a missing or invalid value stops the app."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def _env_int(name: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    # int() would also take " 7", "+7" and "1_000"; from the environment only digits count.
    if not (raw.isascii() and raw.isdigit()):
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}")
    value = int(raw)
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def _env_required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} is required")
    return value


def _database_from_url(url: str) -> dict[str, str]:
    try:
        parts = urlsplit(url)
        port = str(parts.port or "")
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid URL: {exc}") from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise ImproperlyConfigured("DATABASE_URL must start with postgresql://")
    if parts.query or parts.fragment:
        raise ImproperlyConfigured("DATABASE_URL must not have query parameters or a fragment")
    name = unquote(parts.path.removeprefix("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database")
    return {
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": port,
    }


APP_SECRET_KEY = _env_required("APP_SECRET_KEY")
if len(APP_SECRET_KEY) < 32:
    raise ImproperlyConfigured("APP_SECRET_KEY must be at least 32 characters")
TOKEN_LIFETIME_SECONDS = _env_int("TOKEN_LIFETIME_SECONDS", 86400, minimum=1)
# Django 5.2's own PBKDF2 default; only new hashes use it, verification reads the hash.
PASSWORD_HASH_ITERATIONS = _env_int("PASSWORD_HASH_ITERATIONS", 1_000_000, minimum=1)
# libpq treats connect_timeout=0 as "wait forever", which would turn a dead database into a hang.
DB_CONNECT_TIMEOUT_SECONDS = _env_int("DB_CONNECT_TIMEOUT_SECONDS", 2, minimum=1)
DB_STATEMENT_TIMEOUT_MS = _env_int("DB_STATEMENT_TIMEOUT_MS", 5000, minimum=1)
CONN_MAX_AGE = _env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0)

SECRET_KEY = APP_SECRET_KEY
DEBUG = False
# The app only ever listens on loopback behind Nginx, which owns Host checking.
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "django_tuned_app.urls"
WSGI_APPLICATION = "django_tuned_app.wsgi.application"

DATABASES = {
    "default": {
        # Django's PostgreSQL backend with every wait for an answer bounded (django_tuned_app/db).
        "ENGINE": "django_tuned_app.db",
        **_database_from_url(_env_required("DATABASE_URL")),
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {
            "connect_timeout": DB_CONNECT_TIMEOUT_SECONDS,
            # TimeZone here spares the SET TIME ZONE round trip Django makes on each new
            # connection, which matters when CONN_MAX_AGE=0 connects once per request.
            "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c TimeZone=UTC",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = ["django_tuned_app.security.ConfiguredPBKDF2PasswordHasher"]

# Django refuses a query string of more than 1000 fields with a 400; the contract ignores
# unknown keys, and the server's request-line limit already bounds the query string.
DATA_UPLOAD_MAX_NUMBER_FIELDS = None

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False

# Server errors go to stderr (with DEBUG off Django would only mail them to ADMINS);
# the ERROR level keeps the per-request 4xx warnings out.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
