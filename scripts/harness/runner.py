"""One benchmark run: stack up, Locust through the ramp, invariants, results, stack down.

Each piece is a small function so the CLI (`scripts/bench.py`) stays a thin shell. Whatever
happens (an error, Ctrl-C, a hung load generator) every process started here is stopped and
the run folder stays marked INCOMPLETE unless every file was written.
"""

from __future__ import annotations

import csv
import json
import os
import shlex
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from infra.appservers import REPO
from infra.config import STACK_VARS, stack_settings
from infra.database import redact
from infra.envelope import pin_others
from infra.envvars import ConfigError
from infra.procs import ManagedProcess
from infra.stack import Stack, StackSettings
from loadtest.settings import AutoRamp, LoadSettings, load_settings
from scripts.harness import machine
from scripts.harness.invariants import check_invariants
from scripts.harness.meta import META_FILE, load_meta
from scripts.harness.monitor import ResourceMonitor
from scripts.harness.results import RAW_DIR, create_run_dir, write_run_json

RESULTS_DIR = REPO / "results"
LOCUSTFILE = REPO / "loadtest" / "locustfile.py"
# Extra time the load generator gets beyond its planned duration before it is killed.
LOCUST_GRACE_SECONDS = 90.0
PLAIN_PROGRESS_SECONDS = 15.0

# User-facing name -> the BENCH_* name loadtest/settings.py reads.
LOAD_ALIASES = {
    "RAMP": "BENCH_RAMP",
    "STEP_SECONDS": "BENCH_STEP_SECONDS",
    "SETTLE_SECONDS": "BENCH_SETTLE_SECONDS",
    "SPAWN_RATE": "BENCH_SPAWN_RATE",
    "THINK": "BENCH_THINK",
    "SLO_MS": "BENCH_SLO_MS",
    "AUTO_MAX_USERS": "BENCH_AUTO_MAX_USERS",
    "AUTO_MAX_STEPS": "BENCH_AUTO_MAX_STEPS",
}


@dataclass(frozen=True)
class BenchSettings:
    """Everything one `make bench-<app>` needs, parsed and checked before anything starts."""

    app: str
    load: LoadSettings
    load_env: dict[str, str]
    stack: StackSettings | None
    target_url: str | None
    locust_processes: int
    variant: str | None
    results_dir: Path = RESULTS_DIR
    ui: bool = False
    ui_port: int = 8089
    extra_meta: dict[str, Any] = field(default_factory=dict)

    def planned_seconds(self) -> float:
        ramp = self.load.ramp
        steps = ramp.max_steps if isinstance(ramp, AutoRamp) else len(ramp.users)
        return steps * self.load.step_seconds


def _load_env(env: Mapping[str, str], *, user_count: int) -> dict[str, str]:
    out = {name: env[name] for name in env if name.startswith("BENCH_")}
    for alias, name in LOAD_ALIASES.items():
        if env.get(alias, "").strip():
            out[name] = env[alias].strip()
    out.setdefault("BENCH_USER_COUNT", str(user_count))
    return out


def _variant(env: Mapping[str, str], app: str) -> str | None:
    """A label for runs off the default configuration; Django's CONN_MAX_AGE gets one itself."""
    explicit = env.get("VARIANT", "").strip()
    if explicit:
        return explicit
    age = env.get("DJANGO_CONN_MAX_AGE", "").strip()
    if app == "django" and age and age != "60":
        return f"conn_max_age={age}"
    return None


def bench_settings(
    env: Mapping[str, str], app: str, *, ui: bool = False, results_dir: Path = RESULTS_DIR
) -> BenchSettings:
    """Parse every knob (stack and load) up front; raise ConfigError with a one-line message."""
    target = env.get("TARGET_URL", "").strip() or None
    stack = None
    user_count = int(env.get("SEED_USERS", "").strip() or "1000") if not target else 1000
    if target is None:
        stack = stack_settings(env, app=app, confine=True)
        user_count = stack.seed.users
    else:
        from urllib.parse import urlsplit

        host = urlsplit(target).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ConfigError(f"TARGET_URL={target!r}: only loopback targets are allowed")
    load_env = _load_env(env, user_count=user_count)
    load = load_settings(load_env)
    raw_procs = env.get("LOCUST_PROCESSES", "").strip() or "1"
    if not raw_procs.isdigit() or not 1 <= int(raw_procs) <= 256:
        raise ConfigError(f"LOCUST_PROCESSES={raw_procs!r} is not a process count (1-256)")
    return BenchSettings(
        app=app,
        load=load,
        load_env=load_env,
        stack=stack,
        target_url=target,
        locust_processes=int(raw_procs),
        variant=_variant(env, app),
        results_dir=results_dir,
        ui=ui,
    )


def locust_argv(settings: BenchSettings, *, host: str, run_dir: Path) -> list[str]:
    """The Locust command: headless through the step shape, or the web UI on loopback."""
    raw = run_dir / RAW_DIR
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
    if settings.ui:
        argv += ["--web-host", "127.0.0.1", "--web-port", str(settings.ui_port)]
    else:
        argv += [
            "--headless",
            "--csv",
            str(raw / "locust"),
            "--csv-full-history",
            "--html",
            str(run_dir / "locust.html"),
            "--exit-code-on-error",
            "0",
        ]
    if settings.locust_processes > 1:
        argv += ["--processes", str(settings.locust_processes)]
    return argv


def initial_meta(settings: BenchSettings, run_dir: Path, argv: list[str]) -> dict[str, Any]:
    load = settings.load
    think = load.think
    return {
        "app": settings.app,
        "variant": settings.variant,
        "complete": False,
        "run_dir": run_dir.name,
        "command": command_line(os.environ, argv),
        "make_target": os.environ.get("MAKE_TARGET"),
        "git": machine.git_state(REPO),
        "versions": machine.versions(),
        "machine": machine.machine(),
        "ramp": list(load.ramp.users) if not isinstance(load.ramp, AutoRamp) else str(load.ramp),
        "auto_ramp": (
            {
                "start": load.ramp.start,
                "max_users": load.ramp.max_users,
                "max_steps": load.ramp.max_steps,
            }
            if isinstance(load.ramp, AutoRamp)
            else None
        ),
        "step_seconds": load.step_seconds,
        "settle_seconds": load.settle_seconds,
        "spawn_rate": load.spawn_rate,
        "think": {"text": str(think), "low_s": think.low, "high_s": think.high},
        "slo_ms": load.slo_ms,
        "locust_processes": settings.locust_processes,
        "load_env": {k: v for k, v in load.effective().items() if k != "BENCH_SAMPLES_DIR"},
        "target_url": settings.target_url,
        "started_at": datetime.now(UTC).isoformat(),
        "finished_at": None,
        **settings.extra_meta,
    }


def update_meta(run_dir: Path, **changes: Any) -> None:
    meta = load_meta(run_dir)
    meta.update(changes)
    write_run_json(run_dir, META_FILE, meta)


def _history_row(run_dir: Path) -> dict[str, str] | None:
    """The newest aggregated row of Locust's stats history, for the progress line."""
    path = run_dir / RAW_DIR / "locust_stats_history.csv"
    try:
        with path.open(newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r.get("Name") == "Aggregated"]
    except OSError:
        return None
    return rows[-1] if rows else None


def progress_text(settings: BenchSettings, run_dir: Path, started: float) -> str:
    """`step n/m | users | rps | p95 | failures | time left`, from Locust's live CSV."""
    steps_done = 0
    journal = run_dir / RAW_DIR / "steps.jsonl"
    if journal.exists():
        steps_done = sum(1 for line in journal.read_text().splitlines() if line.strip())
    ramp = settings.load.ramp
    total = f"<={ramp.max_steps}" if isinstance(ramp, AutoRamp) else str(len(ramp.users))
    current = steps_done + 1
    if not isinstance(ramp, AutoRamp):
        current = min(current, len(ramp.users))
    row = _history_row(run_dir) or {}
    left = max(0.0, settings.planned_seconds() - (time.monotonic() - started))
    return (
        f"{settings.app}: step {current}/{total} | users {row.get('User Count', '-')} | "
        f"rps {_num(row.get('Requests/s'))} | p95 {_num(row.get('95%'))} ms | "
        f"failures {row.get('Total Failure Count', '-')} | ~{left:.0f} s left"
    )


def _num(text: str | None) -> str:
    try:
        return f"{float(text or ''):.1f}"
    except ValueError:
        return "-"


def command_line(env: Mapping[str, str], argv: list[str]) -> str:
    """The command that reproduces this run: the make target and every setting that was set."""
    target = env.get("MAKE_TARGET", "").strip()
    head = f"make {target}" if target else "python -m scripts.bench " + " ".join(argv[1:])
    names = [v.name for v in STACK_VARS if v.name != "APP"]
    names += [*LOAD_ALIASES, "LOCUST_PROCESSES", "VARIANT"]
    parts = [head]
    for name in names:
        value = env.get(name, "").strip()
        if not value:
            continue
        if name in ("APP_SECRET_KEY", "DATABASE_URL"):
            value = "***" if name == "APP_SECRET_KEY" else redact(value)
        parts.append(f"{name}={shlex.quote(value)}")
    return " ".join(parts)


def run_locust(
    settings: BenchSettings,
    *,
    host: str,
    run_dir: Path,
    stack: Stack | None,
    live_pids: dict[str, list[int]],
) -> int:
    """Run Locust to completion (or its time bound), with a live progress line on stderr."""
    from rich.console import Console
    from rich.live import Live

    argv = locust_argv(settings, host=host, run_dir=run_dir)
    env = {
        **os.environ,
        **settings.load_env,
        "PYTHONPATH": str(REPO),
        "BENCH_SAMPLES_DIR": str(run_dir / RAW_DIR),
        "BENCH_RUN_ID": settings.load.run_id,
    }
    locust = ManagedProcess(
        "locust", argv, log_path=run_dir / RAW_DIR / "locust.out", env=env, cwd=REPO
    )
    try:
        if stack is not None and stack.placement is not None and not stack.placement.shared:
            pin_others([locust.pid], stack.placement)
        live_pids["loadgen"] = [locust.pid]
        started = time.monotonic()
        bound = None if settings.ui else settings.planned_seconds() + LOCUST_GRACE_SECONDS
        console = Console(stderr=True)
        # On a terminal the progress line redraws in place; in a log (CI, a file) a plain
        # line is printed every PLAIN_PROGRESS_SECONDS instead.
        live = Live(console=console, refresh_per_second=1, transient=True)
        if console.is_terminal:
            live.start()
        try:
            last_plain = 0.0
            while locust.alive():
                if bound is not None and time.monotonic() - started > bound:
                    raise TimeoutError(f"Locust ran past its bound of {bound:.0f} s; stopped")
                if stack is not None:
                    stack.check_alive()
                if not settings.ui:
                    text = progress_text(settings, run_dir, started)
                    if console.is_terminal:
                        live.update(text)
                    elif time.monotonic() - last_plain >= PLAIN_PROGRESS_SECONDS:
                        print(text, file=sys.stderr, flush=True)
                        last_plain = time.monotonic()
                time.sleep(1)
        finally:
            if console.is_terminal:
                live.stop()
        return locust.popen.returncode
    finally:
        locust.stop(timeout=30)


def check_database(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        result: dict[str, Any] = dict(check_invariants(conn))
        row = conn.execute("SHOW server_version").fetchone()
        result["server_version"] = row[0] if row else None
    return result


def run_one(settings: BenchSettings) -> Path:
    """A whole run for one app; returns its complete run folder."""
    from scripts.report import build_single_run_report

    run_dir = create_run_dir(settings.results_dir, settings.app)
    argv = [*sys.argv]
    write_run_json(run_dir, META_FILE, initial_meta(settings, run_dir, argv))
    print(f"{settings.app}: results go to {run_dir}", file=sys.stderr)
    live_pids: dict[str, list[int]] = {"app": [], "db": [], "nginx": [], "loadgen": []}
    monitor = ResourceMonitor(
        run_dir / RAW_DIR / "resources.csv",
        {group: (lambda group=group: live_pids[group]) for group in live_pids},  # type: ignore[misc]
    )
    try:
        if settings.stack is None:
            assert settings.target_url is not None
            update_meta(run_dir, stack=None)
            monitor.start()
            code = run_locust(
                settings, host=settings.target_url, run_dir=run_dir, stack=None, live_pids=live_pids
            )
            monitor.stop()
            invariants: dict[str, Any] = {"ok": None, "skipped": "TARGET_URL: database not ours"}
        else:
            with Stack(settings.stack) as stack:
                update_meta(run_dir, stack=stack.describe())
                live_pids.update(stack.groups())
                monitor.start()
                code = run_locust(
                    settings, host=stack.base_url, run_dir=run_dir, stack=stack, live_pids=live_pids
                )
                monitor.stop()
                invariants = check_database(stack.database_url)
        update_meta(
            run_dir,
            finished_at=datetime.now(UTC).isoformat(),
            locust_exit_code=code,
            invariants=invariants,
        )
        if settings.ui:
            return run_dir
        write_run_json(run_dir, "invariants.json", invariants)
        build_single_run_report(run_dir)
    finally:
        monitor.stop()
    if invariants.get("ok") is False:
        print(
            f"{settings.app}: DATABASE INVARIANTS BROKEN: {json.dumps(invariants)}", file=sys.stderr
        )
    return run_dir
