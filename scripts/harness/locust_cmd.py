"""The Locust command line and environment for one run: every load setting passed explicitly."""

from __future__ import annotations

import sys
from pathlib import Path

from infra.appservers import REPO, base_env
from infra.ports import free_port
from infra.settings import Settings
from infra.settings.kinds import ConfigError
from loadtest.options import load_specs, option
from scripts.harness.plan import BenchPlan
from scripts.harness.results import RAW_DIR

LOCUSTFILE = REPO / "loadtest" / "locustfile.py"
# How long a master waits for its LOCUST_WORKERS to connect (the harness's time bound on
# Locust allows it); workers started first wait minutes for their master.
WORKER_WAIT_SECONDS = 60


def locust_argv(plan: BenchPlan, *, host: str, run_dir: Path, run_id: str) -> list[str]:
    """Headless through the step shape, or the web UI on loopback; settings as options."""
    raw = run_dir / RAW_DIR
    settings = plan.settings
    argv = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--host",
        host,
        "--loglevel",
        "WARNING",
        "--logfile",
        str(raw / "locust.log"),
    ]
    for spec in load_specs():
        argv += [option(spec), settings.shown(spec.name)]
    argv += ["--bench-run-id", run_id, "--bench-samples-dir", str(raw)]
    if plan.ui:
        # The class picker lets the user choose the ramp or a user count of their own.
        argv += ["--web-host", "127.0.0.1", "--web-port", str(settings.ui_port), "--class-picker"]
    else:
        argv += [
            "--headless",
            # Locust's own history, aggregated only: per-endpoint percentiles every second
            # cost the load generator CPU, and the raw samples hold them exactly.
            "--csv",
            str(raw / "locust"),
            "--exit-code-on-error",
            "0",
        ]
    if settings.locust_workers:
        argv += [
            "--master",
            "--expect-workers",
            str(settings.locust_workers),
            "--expect-workers-max-wait",
            str(WORKER_WAIT_SECONDS),
            "--master-bind-host",
            settings.master.host,
            "--master-bind-port",
            str(settings.master.port),
        ]
    elif settings.locust_processes > 1:
        # Its own children only: on loopback, on a port no other run on this machine holds.
        port = str(free_port())
        argv += ["--processes", str(settings.locust_processes)]
        argv += ["--master-bind-host", "127.0.0.1", "--master-bind-port", port]
        argv += ["--master-port", port]
    return argv


def waiting_note(settings: Settings) -> str | None:
    """What the master waits for, and how to give it that, when workers run elsewhere."""
    if not settings.locust_workers:
        return None
    return (
        f"Locust master on {settings.master}: waiting up to {WORKER_WAIT_SECONDS} s for "
        f"{settings.locust_workers} workers (make loadgen-worker MASTER=<this host>:"
        f"{settings.master.port} on each load host)"
    )


def worker_argv(settings: Settings) -> list[str]:
    """`make loadgen-worker`: LOCUST_PROCESSES workers for the master at MASTER."""
    master = settings.master
    if master.host == "*":
        raise ConfigError(f"MASTER={master}: a worker needs the master's address, not *")
    argv = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--worker",
        "--master-host",
        master.host,
        "--master-port",
        str(master.port),
    ]
    if settings.locust_processes > 1:
        argv += ["--processes", str(settings.locust_processes)]
    return argv


def locust_env() -> dict[str, str]:
    """Locust inherits nothing from the caller: what it reads is in its command line."""
    return base_env()
