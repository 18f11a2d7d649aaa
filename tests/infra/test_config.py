"""From the typed settings to the stack: what the app server gets, and nothing else."""

from __future__ import annotations

from infra.appservers import AppServerConfig, app_env
from infra.config import stack_settings
from infra.settings import Settings


def test_defaults() -> None:
    s = stack_settings(Settings.from_env({"APP": "django"}))
    assert (s.app, s.nginx_port, s.app_port, s.pg_port) == ("django", 8000, 8001, 54329)
    assert s.database_url is None and s.envelope is None and s.workers is None
    assert s.seed.products == 100 and s.seed.users == 1000 and s.seed.hash_iterations == 1000
    assert s.run_dir.name == "django-8000"


def test_envelope_only_when_confined() -> None:
    settings = Settings.from_env({"APP_CPUS": "0.5", "APP_MEM_MB": "256"})
    assert stack_settings(settings, app="fastapi").envelope is None
    s = stack_settings(settings, app="fastapi", confine=True)
    assert s.envelope is not None
    assert (s.envelope.cpus, s.envelope.mem_mb) == (0.5, 256)


def test_values_are_read() -> None:
    env = {
        "APP": "fastapi",
        "NGINX_PORT": "9000",
        "WORKERS": "4",
        "DATABASE_URL": "postgresql://u:p@127.0.0.1:5432/db",
        "SEED_PRODUCTS": "7",
    }
    s = stack_settings(Settings.from_env(env))
    assert (s.nginx_port, s.workers, s.seed.products) == (9000, 4, 7)
    assert s.database_url == "postgresql://u:p@127.0.0.1:5432/db"


def test_each_app_gets_exactly_the_variables_it_reads() -> None:
    settings = Settings.from_env({"DJANGO_CONN_MAX_AGE": "0", "DB_POOL_SIZE": "4"})
    django = app_env(settings, "django")
    fastapi = app_env(settings, "fastapi")
    shared = {
        "TOKEN_LIFETIME_SECONDS",
        "PASSWORD_HASH_ITERATIONS",
        "DB_CONNECT_TIMEOUT_SECONDS",
        "DB_STATEMENT_TIMEOUT_MS",
    }
    assert set(django) == shared | {"DJANGO_CONN_MAX_AGE"}
    assert set(fastapi) == shared | {"DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT_SECONDS"}
    assert django["DJANGO_CONN_MAX_AGE"] == "0" and fastapi["DB_POOL_SIZE"] == "4"


def test_the_app_server_inherits_nothing_from_the_caller(monkeypatch: object) -> None:
    config = AppServerConfig(
        app="fastapi", port=8001, workers=1, app_env={"DATABASE_URL": "postgresql://x/y"}
    )
    env = config.env()
    assert set(env) == {"PATH", "LC_ALL", "PYTHONPATH", "DATABASE_URL"}
    described = config.describe()["env"]
    assert isinstance(described, dict) and described["DATABASE_URL"] == "postgresql://x/y"
