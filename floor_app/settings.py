"""Settings from the environment, read once; a missing or invalid value stops the app."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

# uvicorn's exit status for "failed before serving": its supervisor stops instead of
# restarting a worker that would fail the same way forever.
STARTUP_FAILURE_EXIT_STATUS = 3

# Every knob must also fit the 32-bit integers PostgreSQL and hashlib take.
_MAX_KNOB = 2**31 - 1


class SettingsError(ValueError):
    """A variable is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Every knob of the app, named as in docs/DECISIONS.md."""

    database_url: str
    app_secret_key: str
    token_lifetime_seconds: int = 86400
    password_hash_iterations: int = 1_000_000
    db_connect_timeout_seconds: int = 2
    db_statement_timeout_ms: int = 5000
    db_pool_size: int = 10
    db_max_overflow: int = 0
    db_pool_timeout_seconds: int = 5


def _int(environ: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = environ.get(name)
    if raw is None:
        return default
    # int() would also take " 7", "+7" and "1_000"; from the environment only digits count.
    if not (raw.isascii() and raw.isdigit()):
        raise SettingsError(f"{name}: must be a whole number")
    value = int(raw)
    if not minimum <= value <= _MAX_KNOB:
        raise SettingsError(f"{name}: must be from {minimum} to {_MAX_KNOB}")
    return value


def _database_url(environ: Mapping[str, str]) -> str:
    value = environ.get("DATABASE_URL", "")
    if not value:
        raise SettingsError("DATABASE_URL: is required")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("postgresql", "postgres") or parts.path in ("", "/"):
        raise SettingsError("DATABASE_URL: must be postgresql://user:pass@host:port/db")
    return value


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Parse the settings from an environment mapping; raise SettingsError naming the variable."""
    secret = environ.get("APP_SECRET_KEY", "")
    if not secret:
        raise SettingsError("APP_SECRET_KEY: is required")
    if len(secret) < 32:
        raise SettingsError("APP_SECRET_KEY: must be at least 32 characters")
    return Settings(
        database_url=_database_url(environ),
        app_secret_key=secret,
        token_lifetime_seconds=_int(environ, "TOKEN_LIFETIME_SECONDS", 86400, minimum=1),
        password_hash_iterations=_int(environ, "PASSWORD_HASH_ITERATIONS", 1_000_000, minimum=1),
        db_connect_timeout_seconds=_int(environ, "DB_CONNECT_TIMEOUT_SECONDS", 2, minimum=1),
        db_statement_timeout_ms=_int(environ, "DB_STATEMENT_TIMEOUT_MS", 5000, minimum=1),
        db_pool_size=_int(environ, "DB_POOL_SIZE", 10, minimum=1),
        db_max_overflow=_int(environ, "DB_MAX_OVERFLOW", 0, minimum=0),
        db_pool_timeout_seconds=_int(environ, "DB_POOL_TIMEOUT_SECONDS", 5, minimum=1),
    )


@functools.cache
def get_settings() -> Settings:
    """Return the settings, or exit with one line naming the first bad variable."""
    try:
        return settings_from(os.environ)
    except SettingsError as exc:
        print(f"floor_app: environment variable {exc}", file=sys.stderr)
        raise SystemExit(STARTUP_FAILURE_EXIT_STATUS) from None
