"""The app registry (which apps exist, how each is served) and the app server command."""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
    # Default workers = workers_per_core * ceil(cpus) + workers_extra.
    workers_per_core: int = 1
    workers_extra: int = 0
    # DJANGO_SETTINGS_MODULE for a Django project; None for the others.
    settings_module: str | None = None
    # gunicorn's worker class and threads per worker this app is measured with by default
    # (GUNICORN_WORKER_CLASS / GUNICORN_THREADS override them).
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
        ),
        AppSpec(
            name="floor",
            server="uvicorn",
            target="floor_app.main:app",
            title="Floor (no framework)",
            summary="a bare ASGI callable on asyncpg and orjson, uvicorn: the least Python can do",
            framework="none",
        ),
        AppSpec(
            name="django-tuned",
            server="gunicorn",
            target="django_tuned_app.wsgi:application",
            title="Django (tuned)",
            summary="Django 5.2 without DRF or ORM: function views, SQL on Django's connection",
            framework="django",
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
        ),
    )
}
APPS = tuple(APP_SPECS)


def default_workers(app: str, cpus: float) -> int:
    """Documented defaults: gunicorn's 2*cores+1 sync workers; one uvicorn worker per core."""
    spec = APP_SPECS[app]
    cores = max(1, math.ceil(cpus))
    return spec.workers_per_core * cores + spec.workers_extra


@dataclass(frozen=True)
class AppServerConfig:
    """Everything that shapes the app server process."""

    app: str
    port: int
    database_url: str
    secret_key: str
    workers: int
    host: str = "127.0.0.1"
    conn_max_age: int = 60
    pool_size: int = 10
    max_overflow: int = 0
    hash_iterations: int | None = None
    # None: the app's own default from its AppSpec.
    worker_class: str | None = None
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.app not in APPS:
            raise ValueError(f"APP must be one of {', '.join(APPS)}, got {self.app!r}")
        if self.worker_class is None:
            object.__setattr__(self, "worker_class", self.spec.worker_class)
        if self.threads is None:
            object.__setattr__(self, "threads", self.spec.threads)
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")

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
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "5",
        ]

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "DATABASE_URL": self.database_url,
            "APP_SECRET_KEY": self.secret_key,
            "DJANGO_CONN_MAX_AGE": str(self.conn_max_age),
            "DB_POOL_SIZE": str(self.pool_size),
            "DB_MAX_OVERFLOW": str(self.max_overflow),
            "GUNICORN_BIND": f"{self.host}:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_WORKER_CLASS": str(self.worker_class),
            "GUNICORN_THREADS": str(self.threads),
        }
        if self.spec.settings_module is not None:
            env["DJANGO_SETTINGS_MODULE"] = self.spec.settings_module
        if self.hash_iterations is not None:
            env["PASSWORD_HASH_ITERATIONS"] = str(self.hash_iterations)
        return env

    def connections_needed(self) -> int:
        """Upper bound of database connections all workers may open together."""
        if self.spec.server == "gunicorn":
            return self.workers * (self.threads or 1)
        return self.workers * (self.pool_size + self.max_overflow)

    def describe(self) -> dict[str, object]:
        """The settings recorded in a run's metadata (no secrets)."""
        gunicorn = self.spec.server == "gunicorn"
        return {
            "app": self.app,
            "command": " ".join(self.argv()),
            "workers": self.workers,
            "conn_max_age": self.conn_max_age if gunicorn else None,
            "worker_class": self.worker_class if gunicorn else "uvicorn (uvloop, httptools)",
            "threads": self.threads if gunicorn else None,
            "pool_size": None if gunicorn else self.pool_size,
            "max_overflow": None if gunicorn else self.max_overflow,
            "connections_needed": self.connections_needed(),
        }
