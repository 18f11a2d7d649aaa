"""Settings: DECISIONS.md defaults; a bad variable stops the app with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from .conftest import ENVIRONMENT, KNOBS

REPO = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    database = settings.DATABASES["default"]
    options = database["OPTIONS"]
    assert isinstance(options, dict)
    assert settings.TOKEN_LIFETIME_SECONDS == 86400
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is False
    assert options["connect_timeout"] == 2
    assert "-c statement_timeout=5000" in options["options"]


def test_database_url_is_split_into_djangos_fields() -> None:
    database = settings.DATABASES["default"]
    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"]) == (
        "bench",
        "secret",
        "127.0.0.1",
        "5432",
    )
    assert database["NAME"] == "bench"


def _import_settings(
    overrides: dict[str, str | None], code: str = "import django_app.settings"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in KNOBS}
    env.update(ENVIRONMENT)
    env["PYTHONPATH"] = str(REPO)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_default_iterations_are_djangos_own() -> None:
    code = "import django_app.settings as s; print(s.PASSWORD_HASH_ITERATIONS)"
    result = _import_settings({"PASSWORD_HASH_ITERATIONS": None}, code)
    assert result.stdout.strip() == str(PBKDF2PasswordHasher.iterations), result.stderr


def test_conn_max_age_zero_means_a_connection_per_request() -> None:
    code = "import django_app.settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"
    result = _import_settings({"DJANGO_CONN_MAX_AGE": "0"}, code)
    assert result.stdout.strip() == "0", result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", None),
        ("DATABASE_URL", ""),
        ("DATABASE_URL", "mysql://u:p@h/db"),
        ("DATABASE_URL", "postgresql://u:p@h"),
        ("DATABASE_URL", "postgresql://u:p@h:99999/db"),
        ("DATABASE_URL", "postgresql://u:p@h/db?sslmode=require"),
        ("APP_SECRET_KEY", None),
        ("APP_SECRET_KEY", "x" * 31),
        ("TOKEN_LIFETIME_SECONDS", "0"),
        ("PASSWORD_HASH_ITERATIONS", "1.0"),
        ("DB_CONNECT_TIMEOUT_SECONDS", " 2"),
        ("DB_CONNECT_TIMEOUT_SECONDS", "0"),
        ("DB_STATEMENT_TIMEOUT_MS", "-1"),
        ("DJANGO_CONN_MAX_AGE", "sixty"),
    ],
)
def test_bad_value_stops_the_app_naming_the_variable(name: str, value: str | None) -> None:
    result = _import_settings({name: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: " + name), last_line
