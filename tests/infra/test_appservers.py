"""The app registry and the server command each app gets from it."""

from __future__ import annotations

import pytest

from infra.appservers import (
    APP_READERS,
    APP_SPECS,
    APPS,
    REPO,
    AppServerConfig,
    default_workers,
)
from infra.settings.declare import DJANGO_APPS, POOLED_APPS


def _config(app: str, **changes: object) -> AppServerConfig:
    settings: dict[str, object] = {
        "app": app,
        "port": 8001,
        "workers": 2,
        "app_env": {"DATABASE_URL": "postgresql://bench@127.0.0.1/bench", "DB_POOL_SIZE": "3"},
    }
    return AppServerConfig(**(settings | changes))  # type: ignore[arg-type]


def test_apps_lists_the_registry_defaults_first() -> None:
    assert APPS[:2] == ("django", "fastapi")
    assert set(APPS) == {"django", "fastapi", "floor", "django-tuned", "fastapi-tuned"}


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_its_folder_and_target(app: str) -> None:
    spec = APP_SPECS[app]
    assert spec.package == app.replace("-", "_") + "_app"
    module, _, attribute = spec.target.partition(":")
    assert module.split(".")[0] == spec.package and attribute
    assert (REPO / spec.package / (module.split(".")[-1] + ".py")).is_file()
    assert (REPO / spec.package / "rules.py").read_bytes() == (
        REPO / "django_app" / "rules.py"
    ).read_bytes()


@pytest.mark.parametrize(
    ("app", "cpus", "workers"),
    [
        ("django", 1, 3),
        ("django", 2, 5),
        ("django-tuned", 1.5, 5),
        ("fastapi", 1, 1),
        ("floor", 2, 2),
        ("fastapi-tuned", 0.5, 1),
    ],
)
def test_default_workers_follow_each_servers_guidance(app: str, cpus: float, workers: int) -> None:
    assert default_workers(app, cpus) == workers


@pytest.mark.parametrize("app", APPS)
def test_argv_runs_the_apps_own_server_and_target(app: str) -> None:
    spec = APP_SPECS[app]
    argv = _config(app).argv()
    assert argv[0].endswith(spec.server) and argv[1] == spec.target
    if spec.server == "uvicorn":
        assert argv[argv.index("--workers") + 1] == "2"


@pytest.mark.parametrize("app", APPS)
def test_django_projects_get_their_own_settings_module(app: str) -> None:
    env = _config(app).env()
    assert env.get("DJANGO_SETTINGS_MODULE") == APP_SPECS[app].settings_module


@pytest.mark.parametrize("app", APPS)
def test_each_app_reads_its_servers_settings(app: str) -> None:
    expected = DJANGO_APPS if APP_SPECS[app].server == "gunicorn" else POOLED_APPS
    assert expected in APP_READERS[app]


@pytest.mark.parametrize(("app", "needed"), [("django", 2), ("floor", 6), ("fastapi-tuned", 6)])
def test_connections_needed(app: str, needed: int) -> None:
    assert _config(app).connections_needed() == needed


def test_gunicorn_defaults_come_from_the_spec_unless_given() -> None:
    tuned = _config("django-tuned")
    assert (tuned.worker_class, tuned.threads, tuned.connections_needed()) == ("gthread", 4, 8)
    assert _config("django-tuned", worker_class="sync", threads=1).connections_needed() == 2
    assert (_config("django").worker_class, _config("django").threads) == ("sync", 1)


def test_unknown_app_is_refused() -> None:
    with pytest.raises(ValueError, match="APP must be one of"):
        _config("flask")
