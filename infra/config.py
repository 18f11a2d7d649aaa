"""From the typed settings to what the stack needs: no environment is read here."""

from __future__ import annotations

from pathlib import Path

from infra.appservers import app_env
from infra.envelope import Envelope
from infra.seed import SeedOptions
from infra.settings import Settings
from infra.stack import DEFAULT_DATA_DIR, DEFAULT_RUN_DIR, StackSettings


def stack_settings(
    settings: Settings,
    *,
    app: str | None = None,
    confine: bool = False,
    data_dir: Path = DEFAULT_DATA_DIR,
    run_dir: Path = DEFAULT_RUN_DIR,
) -> StackSettings:
    """The stack for `app` (default APP); `confine` applies the APP_CPUS/APP_MEM_MB envelope."""
    app = app or settings.app
    return StackSettings(
        app=app,
        nginx_port=settings.nginx_port,
        app_port=settings.app_port,
        pg_port=settings.pg_port,
        data_dir=settings.pg_data_dir or data_dir,
        run_dir=run_dir / f"{app}-{settings.nginx_port}",
        database_url=settings.database_url,
        seed=SeedOptions(
            products=settings.seed_products,
            users=settings.seed_users,
            hash_iterations=settings.seed_hash_iterations,
        ),
        envelope=Envelope(cpus=settings.app_cpus, mem_mb=settings.app_mem_mb) if confine else None,
        workers=settings.workers,
        worker_class=settings.gunicorn_worker_class,
        threads=settings.gunicorn_threads,
        app_env=app_env(settings, app),
        nginx_binary=settings.nginx,
        nginx_workers=settings.nginx_workers,
    )
