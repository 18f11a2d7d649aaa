"""Settings: DECISIONS.md defaults; a bad variable stops the app with one line naming it."""

from __future__ import annotations

import pytest

from fastapi_app.settings import STARTUP_FAILURE_EXIT_STATUS, get_settings


def test_defaults(app_env: pytest.MonkeyPatch) -> None:
    app_env.delenv("PASSWORD_HASH_ITERATIONS")
    settings = get_settings()
    assert settings.token_lifetime_seconds == 86400
    assert settings.password_hash_iterations == 1_000_000
    assert settings.db_connect_timeout_seconds == 2
    assert settings.db_statement_timeout_ms == 5000
    assert (settings.db_pool_size, settings.db_max_overflow) == (10, 0)
    assert settings.db_pool_timeout_seconds == 5


def test_database_url_gets_the_asyncpg_driver() -> None:
    url = get_settings().sqlalchemy_url
    assert url.drivername == "postgresql+asyncpg"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "bench",
        "secret",
        "127.0.0.1",
        5432,
        "bench",
    )


def test_values_are_read_from_the_environment(app_env: pytest.MonkeyPatch) -> None:
    app_env.setenv("DB_POOL_SIZE", "3")
    app_env.setenv("DB_MAX_OVERFLOW", "0")
    settings = get_settings()
    assert (settings.db_pool_size, settings.db_max_overflow) == (3, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", None),
        ("DATABASE_URL", ""),
        ("DATABASE_URL", "mysql://u:p@h/db"),
        ("DATABASE_URL", "postgresql://u:p@h"),
        ("APP_SECRET_KEY", None),
        ("APP_SECRET_KEY", "x" * 31),
        ("TOKEN_LIFETIME_SECONDS", "0"),
        ("PASSWORD_HASH_ITERATIONS", "1.0"),
        ("DB_CONNECT_TIMEOUT_SECONDS", " 2"),
        ("DB_STATEMENT_TIMEOUT_MS", "-1"),
        ("DB_POOL_SIZE", "ten"),
        ("DB_MAX_OVERFLOW", "-1"),
        ("DB_POOL_TIMEOUT_SECONDS", str(2**31)),
    ],
)
def test_bad_value_exits_with_one_line_naming_the_variable(
    app_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str | None
) -> None:
    if value is None:
        app_env.delenv(name)
    else:
        app_env.setenv(name, value)
    with pytest.raises(SystemExit) as exc:
        get_settings()
    assert exc.value.code == STARTUP_FAILURE_EXIT_STATUS
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err
    assert "x" * 31 not in err
