"""Django configured once for unit tests of django_app's pure functions: a known environment."""

from __future__ import annotations

import django
import pytest

SECRET_KEY = "unit-test-secret-key-0123456789-abcdef"
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "django_app.settings",
    "DATABASE_URL": "postgresql://bench:secret@127.0.0.1:5432/bench",
    "APP_SECRET_KEY": SECRET_KEY,
    "PASSWORD_HASH_ITERATIONS": "1000",
}
KNOBS = (
    "TOKEN_LIFETIME_SECONDS",
    "DB_CONNECT_TIMEOUT_SECONDS",
    "DB_STATEMENT_TIMEOUT_MS",
    "DJANGO_CONN_MAX_AGE",
)

# Django reads its settings once per process, so configure it here, before the test modules
# import django_app, and leave the process environment as it was for every other test.
with pytest.MonkeyPatch.context() as patch:
    for knob in KNOBS:
        patch.delenv(knob, raising=False)
    for name, value in ENVIRONMENT.items():
        patch.setenv(name, value)
    django.setup()
