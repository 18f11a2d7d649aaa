"""The app server commands (gunicorn for Django, uvicorn for FastAPI) and their settings."""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APPS = ("django", "fastapi")


def default_workers(app: str, cpus: float) -> int:
    """Documented defaults: gunicorn's 2*cores+1 sync workers; one uvicorn worker per core."""
    cores = max(1, math.ceil(cpus))
    return 2 * cores + 1 if app == "django" else cores


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
            "GUNICORN_WORKER_CLASS": self.worker_class,
            "GUNICORN_THREADS": str(self.threads),
        }
        if self.hash_iterations is not None:
            env["PASSWORD_HASH_ITERATIONS"] = str(self.hash_iterations)
        return env

    def connections_needed(self) -> int:
        """Upper bound of database connections all workers may open together."""
        if self.app == "django":
            return self.workers * self.threads
        return self.workers * (self.pool_size + self.max_overflow)

    def describe(self) -> dict[str, object]:
        """The settings recorded in a run's metadata (no secrets)."""
        return {
            "app": self.app,
            "command": " ".join(self.argv()),
            "workers": self.workers,
            "conn_max_age": self.conn_max_age if self.app == "django" else None,
            "worker_class": self.worker_class
            if self.app == "django"
            else "uvicorn (uvloop, httptools)",
            "threads": self.threads if self.app == "django" else None,
            "pool_size": self.pool_size if self.app == "fastapi" else None,
            "max_overflow": self.max_overflow if self.app == "fastapi" else None,
            "connections_needed": self.connections_needed(),
        }
