"""An app server's environment is built from the variables it reads, nothing inherited, and
the stack's description (meta.json) records every one of them."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from infra.appservers import APPS, app_env
from infra.database import recreate_database
from infra.ports import free_port
from infra.seed import SeedOptions
from infra.settings import Settings
from infra.stack import Stack, StackSettings


@pytest.mark.parametrize("app", ["django", "fastapi"])
def test_the_app_inherits_nothing_and_meta_records_what_it_reads(
    app: str, pg_admin_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app in APPS
    monkeypatch.setenv("UNRELATED_TO_THE_APP", "must-not-leak")
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "7")  # a setting, but not passed this way
    settings = Settings.from_env({"DB_POOL_SIZE": "3", "PASSWORD_HASH_ITERATIONS": "1000"})
    url = recreate_database(pg_admin_url, f"environ_{app}")
    stack_settings = StackSettings(
        app=app,
        nginx_port=free_port(),
        app_port=free_port(),
        run_dir=tmp_path,
        database_url=url,
        seed=SeedOptions(products=5, users=3, hash_iterations=1000),
        app_env=app_env(settings, app),
    )
    with Stack(stack_settings) as stack:
        assert stack.app_proc is not None
        environ = psutil.Process(stack.app_proc.pid).environ()
        described = stack.describe()["app_server"]
    assert "UNRELATED_TO_THE_APP" not in environ
    expected = app_env(settings, app)
    for name, value in expected.items():
        assert environ[name] == value, name
    assert isinstance(described, dict)
    recorded = described["env"]
    assert set(expected) <= set(recorded)
    assert recorded["DATABASE_URL"] == url  # no password in this URL to redact
    assert recorded["APP_SECRET_KEY"] == "***"
    if app == "django":
        assert environ["DJANGO_CONN_MAX_AGE"] == "60"  # the table's, not the caller's 7
    else:
        assert environ["DB_POOL_SIZE"] == "3" and "DJANGO_CONN_MAX_AGE" not in environ
