"""Settings: DECISIONS.md defaults; a bad variable stops the app with one line naming it."""

from __future__ import annotations

import pytest

from fastapi_tuned_app.settings import STARTUP_FAILURE_EXIT_STATUS, get_settings


def test_defaults(app_env: pytest.MonkeyPatch) -> None:
    app_env.delenv("PASSWORD_HASH_ITERATIONS")
    settings = get_settings()
    assert (settings.token_lifetime_seconds, settings.password_hash_iterations) == (
        86400,
        1_000_000,
    )
    assert (settings.db_pool_size, settings.db_max_overflow) == (10, 0)
    assert settings.db_pool_timeout_seconds == 5


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", None, "DATABASE_URL: is required"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL: must be postgresql://"),
        ("DATABASE_URL", "postgresql://host:x/db", "DATABASE_URL: must be postgresql://"),
        ("DATABASE_URL", "postgresql://host:5432/", "DATABASE_URL: must be postgresql://"),
        ("DB_POOL_SIZE", "0", "DB_POOL_SIZE: "),
        ("DB_POOL_SIZE", "1.5", "DB_POOL_SIZE: must be a whole number"),
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
    assert err.startswith(f"fastapi_tuned_app: environment variable {message}")
