"""The app server commands (gunicorn for Django, uvicorn for FastAPI) and their settings."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infra.settings import Settings
from infra.settings.declare import (
    APP_SERVERS,
    DJANGO_APPS,
    EVERY_APP,
    GUNICORN,
    POOLED_APPS,
)
from infra.settings.kinds import redact

REPO = Path(__file__).resolve().parent.parent
APPS = ("django", "fastapi")
# Reader tags of the settings table (infra/settings.py) whose variables each app reads.
APP_READERS = {"django": (EVERY_APP, DJANGO_APPS), "fastapi": (EVERY_APP, POOLED_APPS)}
# ... and of the settings its server command reads.
SERVER_READERS = {"django": (APP_SERVERS, GUNICORN), "fastapi": (APP_SERVERS,)}


def matrix_default() -> tuple[str, ...]:
    """MATRIX_APPS=auto: every app, the floor (the reference) first."""
    return tuple(sorted(APPS, key=lambda app: app != "floor"))


def base_env() -> dict[str, str]:
    """What every process the harness starts gets, instead of the caller's environment."""
    bindir = Path(sys.executable).parent
    return {
        "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": str(REPO),
    }


def app_env(settings: Settings, app: str) -> dict[str, str]:
    """The variables `app` reads, with the values in force (unset ones left out)."""
    out: dict[str, str] = {}
    for reader in APP_READERS[app]:
        out.update(settings.env_for(reader))
    return {name: value for name, value in out.items() if value}


def default_workers(app: str, cpus: float) -> int:
    """Documented defaults: gunicorn's 2*cores+1 sync workers; one uvicorn worker per core."""
    cores = max(1, math.ceil(cpus))
    return 2 * cores + 1 if app == "django" else cores


@dataclass(frozen=True)
class AppServerConfig:
    """Everything that shapes the app server process, its environment included."""

    app: str
    port: int
    workers: int
    # The app's own variables (infra/settings.py), DATABASE_URL and APP_SECRET_KEY included.
    app_env: Mapping[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    worker_class: str = "sync"
    threads: int = 1

    def __post_init__(self) -> None:
        if self.app not in APPS:
            raise ValueError(f"APP must be one of {', '.join(APPS)}, got {self.app!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")

    def argv(self) -> list[str]:
        bindir = Path(sys.executable).parent
        if self.app == "django":
            return [
                str(bindir / "gunicorn"),
                "django_app.wsgi:application",
                "-c",
                str(REPO / "infra" / "gunicorn.conf.py"),
            ]
        return [
            str(bindir / "uvicorn"),
            "fastapi_app.main:app",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--loop",
            "uvloop",
            "--http",
            # httptools, answering what it cannot parse in the API's JSON envelope.
            "fastapi_app.server:JsonErrorsHttpToolsProtocol",
            # No WebSocket routes: an Upgrade request is plain HTTP, not uvicorn's 403 page.
            "--ws",
            "none",
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "5",
        ]

    def server_env(self) -> dict[str, str]:
        """Variables the server command itself reads (gunicorn.conf.py)."""
        if self.app != "django":
            return {}
        return {
            "GUNICORN_BIND": f"{self.host}:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_WORKER_CLASS": self.worker_class,
            "GUNICORN_THREADS": str(self.threads),
        }

    def env(self) -> dict[str, str]:
        """The whole environment: nothing is inherited from the caller, so meta.json can
        record everything that shaped the app."""
        return {**base_env(), **self.server_env(), **self.app_env}

    def connections_needed(self) -> int:
        """Upper bound of database connections all workers may open together."""
        if self.app == "django":
            return self.workers * self.threads
        pool = int(self.app_env.get("DB_POOL_SIZE", "10"))
        return self.workers * (pool + int(self.app_env.get("DB_MAX_OVERFLOW", "0")))

    def describe(self) -> dict[str, object]:
        """The settings recorded in a run's metadata (no secrets)."""
        shown = {
            name: "***" if name == "APP_SECRET_KEY" else redact(value)
            for name, value in sorted(self.app_env.items())
        }
        return {
            "app": self.app,
            "command": " ".join(self.argv()),
            "workers": self.workers,
            "conn_max_age": _int_or_none(self.app_env.get("DJANGO_CONN_MAX_AGE")),
            "worker_class": self.worker_class
            if self.app == "django"
            else "uvicorn (uvloop, httptools)",
            "threads": self.threads if self.app == "django" else None,
            "pool_size": _int_or_none(self.app_env.get("DB_POOL_SIZE")),
            "max_overflow": _int_or_none(self.app_env.get("DB_MAX_OVERFLOW")),
            "connections_needed": self.connections_needed(),
            "env": {**self.server_env(), **shown},
        }


def _int_or_none(text: str | None) -> int | None:
    return None if text is None else int(text)


if __name__ == "__main__":
    # `make apps`: standard library only, like `make help`.
    print("\n".join(APPS))
