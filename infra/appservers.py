"""The app registry (which apps exist, how each is served) and the app server command."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

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


@dataclass(frozen=True)
class AppSpec:
    """One app of the benchmark: its folder, its server, and that server's defaults."""

    name: str
    server: Literal["gunicorn", "uvicorn"]
    # "package.module:callable", as gunicorn and uvicorn take it.
    target: str
    title: str
    summary: str
    # What GET /health names as the framework that answered.
    framework: str
    # Reader tags of the settings table (infra/settings/) whose variables the app reads.
    readers: tuple[str, ...]
    # Default workers = workers_per_core * ceil(cpus) + workers_extra.
    workers_per_core: int = 1
    workers_extra: int = 0
    # DJANGO_SETTINGS_MODULE for a Django project; None for the others.
    settings_module: str | None = None
    # gunicorn's worker class and threads per worker this app is measured with by default
    # (GUNICORN_WORKER_CLASS / GUNICORN_THREADS other than `auto` override them).
    worker_class: Literal["sync", "gthread"] = "sync"
    threads: int = 1

    @property
    def package(self) -> str:
        """The app's folder: the name with '-' as '_' and an `_app` suffix."""
        return self.name.replace("-", "_") + "_app"


APP_SPECS: dict[str, AppSpec] = {
    spec.name: spec
    for spec in (
        AppSpec(
            name="django",
            server="gunicorn",
            target="django_app.wsgi:application",
            title="Django",
            summary="Django 5.2 + Django REST Framework, ORM, gunicorn sync workers",
            framework="django",
            readers=(EVERY_APP, DJANGO_APPS),
            # gunicorn's own guidance for sync workers.
            workers_per_core=2,
            workers_extra=1,
            settings_module="django_app.settings",
        ),
        AppSpec(
            name="fastapi",
            server="uvicorn",
            target="fastapi_app.main:app",
            title="FastAPI",
            summary="FastAPI + pydantic, SQLAlchemy 2 async ORM on asyncpg, uvicorn",
            framework="fastapi",
            readers=(EVERY_APP, POOLED_APPS),
        ),
        AppSpec(
            name="floor",
            server="uvicorn",
            target="floor_app.main:app",
            title="Floor (no framework)",
            summary="a bare ASGI callable on asyncpg and orjson, uvicorn: the least Python can do",
            framework="none",
            readers=(EVERY_APP, POOLED_APPS),
        ),
        AppSpec(
            name="django-tuned",
            server="gunicorn",
            target="django_tuned_app.wsgi:application",
            title="Django (tuned)",
            summary="Django 5.2 without DRF or ORM: function views, SQL on Django's connection",
            framework="django",
            readers=(EVERY_APP, DJANGO_APPS),
            workers_per_core=2,
            workers_extra=1,
            settings_module="django_tuned_app.settings",
            # Threads keep Nginx's upstream connections alive (sync workers close each one).
            worker_class="gthread",
            threads=4,
        ),
        AppSpec(
            name="fastapi-tuned",
            server="uvicorn",
            target="fastapi_tuned_app.main:app",
            title="FastAPI (tuned)",
            summary="FastAPI + pydantic on raw asyncpg (no SQLAlchemy), uvicorn",
            framework="fastapi",
            readers=(EVERY_APP, POOLED_APPS),
        ),
    )
}
APPS = tuple(APP_SPECS)
# Reader tags of the settings table whose variables each app reads ...
APP_READERS = {name: spec.readers for name, spec in APP_SPECS.items()}
# ... and of the settings its server command reads.
SERVER_READERS = {
    name: (APP_SERVERS, GUNICORN) if spec.server == "gunicorn" else (APP_SERVERS,)
    for name, spec in APP_SPECS.items()
}


def matrix_default() -> tuple[str, ...]:
    """MATRIX_APPS=auto: every app, the floor (the reference) first."""
    order = ("floor", "fastapi-tuned", "fastapi", "django-tuned", "django")
    return tuple(sorted(APPS, key=lambda app: order.index(app) if app in order else len(order)))


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
    spec = APP_SPECS[app]
    cores = max(1, math.ceil(cpus))
    return spec.workers_per_core * cores + spec.workers_extra


@dataclass(frozen=True)
class AppServerConfig:
    """Everything that shapes the app server process, its environment included."""

    app: str
    port: int
    workers: int
    # The app's own variables (infra/settings.py), DATABASE_URL and APP_SECRET_KEY included.
    app_env: Mapping[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    # None: the app's own default from its AppSpec.
    worker_class: str | None = None
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.app not in APPS:
            raise ValueError(f"APP must be one of {', '.join(APPS)}, got {self.app!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.worker_class is None:
            object.__setattr__(self, "worker_class", self.spec.worker_class)
        if self.threads is None:
            object.__setattr__(self, "threads", self.spec.threads)

    @property
    def spec(self) -> AppSpec:
        return APP_SPECS[self.app]

    def argv(self) -> list[str]:
        bindir = Path(sys.executable).parent
        if self.spec.server == "gunicorn":
            return [
                str(bindir / "gunicorn"),
                self.spec.target,
                "-c",
                str(REPO / "infra" / "gunicorn.conf.py"),
            ]
        return [
            str(bindir / "uvicorn"),
            self.spec.target,
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
            f"{self.spec.package}.server:JsonErrorsHttpToolsProtocol",
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
        """Variables the server command itself reads (gunicorn.conf.py, Django's settings)."""
        if self.spec.server != "gunicorn":
            return {}
        env = {
            "GUNICORN_BIND": f"{self.host}:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_WORKER_CLASS": str(self.worker_class),
            "GUNICORN_THREADS": str(self.threads),
        }
        if self.spec.settings_module is not None:
            env["DJANGO_SETTINGS_MODULE"] = self.spec.settings_module
        return env

    def env(self) -> dict[str, str]:
        """The whole environment: nothing is inherited from the caller, so meta.json can
        record everything that shaped the app."""
        return {**base_env(), **self.server_env(), **self.app_env}

    def connections_needed(self) -> int:
        """Upper bound of database connections all workers may open together."""
        if self.spec.server == "gunicorn":
            return self.workers * (self.threads or 1)
        pool = int(self.app_env.get("DB_POOL_SIZE", "10"))
        return self.workers * (pool + int(self.app_env.get("DB_MAX_OVERFLOW", "0")))

    def describe(self) -> dict[str, object]:
        """The settings recorded in a run's metadata (no secrets)."""
        gunicorn = self.spec.server == "gunicorn"
        shown = {
            name: "***" if name == "APP_SECRET_KEY" else redact(value)
            for name, value in sorted(self.app_env.items())
        }
        return {
            "app": self.app,
            "command": " ".join(self.argv()),
            "workers": self.workers,
            "conn_max_age": _int_or_none(self.app_env.get("DJANGO_CONN_MAX_AGE")),
            "worker_class": self.worker_class if gunicorn else "uvicorn (uvloop, httptools)",
            "threads": self.threads if gunicorn else None,
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
