"""Settings for unit tests of floor_app's pure functions: a known environment, read afresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from floor_app.settings import get_settings

SECRET_KEY = "unit-test-secret-key-0123456789-abcdef"
KNOBS = (
    "TOKEN_LIFETIME_SECONDS",
    "PASSWORD_HASH_ITERATIONS",
    "DB_CONNECT_TIMEOUT_SECONDS",
    "DB_STATEMENT_TIMEOUT_MS",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "DB_POOL_TIMEOUT_SECONDS",
)


@pytest.fixture(autouse=True)
def app_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Required variables set, every optional knob at its default; yields monkeypatch to vary it."""
    for name in KNOBS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://bench:secret@127.0.0.1:5432/bench")
    monkeypatch.setenv("APP_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("PASSWORD_HASH_ITERATIONS", "1000")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
