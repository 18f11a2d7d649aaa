"""An app started by hand (no harness) uses the table's defaults for what it reads.

The harness always passes every variable an app reads, so the apps' own defaults only
matter standalone; this keeps the two from drifting apart.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.appservers import app_env, base_env
from infra.settings import Settings

REPO = Path(__file__).resolve().parents[2]
REQUIRED = {"DATABASE_URL": "postgresql://u:p@127.0.0.1:5432/db", "APP_SECRET_KEY": "k" * 40}

# Prints {VARIABLE: value in force} for what each app reads.
PROBES = {
    "django": (
        "import json, django_app.settings as s; "
        "names = ['TOKEN_LIFETIME_SECONDS', 'PASSWORD_HASH_ITERATIONS', "
        "'DB_CONNECT_TIMEOUT_SECONDS', 'DB_STATEMENT_TIMEOUT_MS']; "
        "out = {n: getattr(s, n) for n in names}; out['DJANGO_CONN_MAX_AGE'] = s.CONN_MAX_AGE; "
        "print(json.dumps(out))"
    ),
    "fastapi": (
        "import json; from fastapi_app.settings import Settings; s = Settings(); "
        "print(json.dumps({k.upper(): v for k, v in s.model_dump().items()}))"
    ),
}


@pytest.mark.parametrize("app", sorted(PROBES))
def test_standalone_defaults_are_the_tables(app: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBES[app]],
        cwd=REPO,
        env={**base_env(), **REQUIRED},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    in_force = json.loads(done.stdout)
    expected = app_env(Settings.defaults(), app)
    assert {name: str(in_force[name]) for name in expected} == expected
