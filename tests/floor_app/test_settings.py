"""Settings: DECISIONS.md defaults; a bad variable stops the app with one line naming it."""

from __future__ import annotations

import pytest

from floor_app.settings import STARTUP_FAILURE_EXIT_STATUS, get_settings


def test_defaults(app_env: pytest.MonkeyPatch) -> None:
    app_env.delenv("PASSWORD_HASH_ITERATIONS")
    settings = get_settings()
    assert settings.token_lifetime_seconds == 86400
    assert settings.password_hash_iterations == 1_000_000
    assert (settings.db_connect_timeout_seconds, settings.db_statement_timeout_ms) == (2, 5000)
    assert (settings.db_pool_size, settings.db_max_overflow) == (10, 0)
    assert settings.db_pool_timeout_seconds == 5


def test_values_are_read_from_the_environment(app_env: pytest.MonkeyPatch) -> None:
    app_env.setenv("DB_POOL_SIZE", "3")
    app_env.setenv("DB_MAX_OVERFLOW", "2")
    settings = get_settings()
    assert (settings.db_pool_size, settings.db_max_overflow) == (3, 2)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", None, "DATABASE_URL: is required"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL: must be postgresql://"),
        ("DATABASE_URL", "postgresql://host:notaport/db", "DATABASE_URL: must be postgresql://"),
        ("DATABASE_URL", "postgresql://host:5432", "DATABASE_URL: must be postgresql://"),
        ("APP_SECRET_KEY", None, "APP_SECRET_KEY: is required"),
        ("APP_SECRET_KEY", "short", "APP_SECRET_KEY: must be at least 32 characters"),
        ("DB_POOL_SIZE", "0", "DB_POOL_SIZE: must be from 1"),
        ("DB_POOL_SIZE", "1.5", "DB_POOL_SIZE: must be a whole number"),
        ("DB_MAX_OVERFLOW", "-1", "DB_MAX_OVERFLOW: must be a whole number"),
        ("TOKEN_LIFETIME_SECONDS", " 7", "TOKEN_LIFETIME_SECONDS: must be a whole number"),
        ("PASSWORD_HASH_ITERATIONS", str(2**31), "PASSWORD_HASH_ITERATIONS: must be from 1"),
    ],
)
def test_a_bad_variable_exits_with_one_line_naming_it(
    app_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str | None,
    message: str,
) -> None:
    if value is None:
        app_env.delenv(name)
    else:
        app_env.setenv(name, value)
    with pytest.raises(SystemExit) as exc:
        get_settings()
    assert exc.value.code == STARTUP_FAILURE_EXIT_STATUS
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"floor_app: environment variable {message}")
