"""One benchmark run: stack up, Locust through the ramp, invariants, results, stack down.

Whatever happens (an error, Ctrl-C, a hung load generator) every process started here is
stopped and the run folder stays marked INCOMPLETE unless every file was written; a run
that measured nothing but errors is sealed as FAILED and never counts as a result.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from infra.appservers import REPO
from infra.procs import ManagedProcess
from infra.stack import Stack
from scripts.harness import machine
from scripts.harness.build import build_single_run_report
from scripts.harness.encore import EncoreProfiler
from scripts.harness.invariants import check_invariants
from scripts.harness.locust_cmd import locust_argv, locust_env
from scripts.harness.meta import META_FILE
from scripts.harness.monitor import ResourceMonitor
from scripts.harness.plan import BenchPlan
from scripts.harness.preflight import preflight
from scripts.harness.progress import Progress
from scripts.harness.results import RAW_DIR, create_run_dir, mark_failed, write_run_json
from scripts.harness.runmeta import initial_meta, update_meta
from scripts.harness.ui import finish_ui_run, watch_ui

# Extra time the load generator gets beyond its planned duration before it is killed.
LOCUST_GRACE_SECONDS = 90.0


def run_locust(
    plan: BenchPlan,
    *,
    host: str,
    run_dir: Path,
    run_id: str,
    stack: Stack | None,
    live_pids: dict[str, list[int]],
) -> int:
    """Run Locust to completion (or its time bound), with a live progress line on stderr."""
    argv = locust_argv(plan, host=host, run_dir=run_dir, run_id=run_id)
    locust = ManagedProcess(
        "locust", argv, log_path=run_dir / RAW_DIR / "locust.out", env=locust_env(), cwd=REPO
    )
    try:
        if stack is not None:
            stack.place_beside([locust.pid])
        live_pids["loadgen"] = [locust.pid]
        if plan.ui:
            return watch_ui(locust, plan, stack=stack)
        bound = plan.planned_seconds() + LOCUST_GRACE_SECONDS
        profiler = _profiler(plan, run_dir, stack)
        with Progress(plan, run_dir) as progress:
            try:
                while locust.alive():
                    if progress.elapsed > bound:
                        raise TimeoutError(f"Locust ran past its bound of {bound:.0f} s; stopped")
                    if stack is not None:
                        stack.check_alive()
                    if profiler is not None:
                        profiler.poll()
                    progress.update()
                    time.sleep(1)
            finally:
                if profiler is not None:
                    profiler.close()
        return locust.popen.returncode
    finally:
        locust.stop(timeout=30)


def _profiler(plan: BenchPlan, run_dir: Path, stack: Stack | None) -> EncoreProfiler | None:
    if not plan.settings.profile:
        return None
    if stack is None:
        print(f"{plan.app}: PROFILE=1 needs the app on this machine; no profile", file=sys.stderr)
        return None
    rate = plan.settings.profile_rate
    return EncoreProfiler(app=plan.app, run_dir=run_dir, stack=stack, rate=rate)


def check_database(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        result: dict[str, Any] = dict(check_invariants(conn))
        row = conn.execute("SHOW server_version").fetchone()
        result["server_version"] = row[0] if row else None
    return result


class RunFailedError(RuntimeError):
    """The run ended but measured nothing but errors; its folder is sealed as FAILED."""


def run_one(plan: BenchPlan, argv: list[str]) -> Path:
    """A whole run for one app; returns its run folder, reported but not yet sealed.

    The run folder is created only once the target has passed the pre-flight check, so a
    run that cannot start leaves nothing in results/. RunFailedError when the run measured
    nothing but errors (its folder is then sealed as FAILED).
    """
    if plan.stack is None:
        assert plan.target_url is not None
        preflight(plan.target_url, what=f"TARGET_URL={plan.target_url}")
        run_dir = _measure(plan, argv, host=plan.target_url, stack=None)
    else:
        with Stack(plan.stack) as stack:
            preflight(stack.base_url, what=f"the {plan.app} stack at {stack.base_url}")
            run_dir = _measure(plan, argv, host=stack.base_url, stack=stack)
    if plan.ui:
        finish_ui_run(run_dir)
        return run_dir
    summary = build_single_run_report(run_dir)
    if summary["invariants"].get("ok") is False:
        print(
            f"{plan.app}: DATABASE INVARIANTS BROKEN: {json.dumps(summary['invariants'])}",
            file=sys.stderr,
        )
    if summary["failure"] is not None:
        mark_failed(run_dir, summary["failure"])
        raise RunFailedError(f"{plan.app}: the run failed: {summary['failure']} ({run_dir})")
    return run_dir


def _measure(plan: BenchPlan, argv: list[str], *, host: str, stack: Stack | None) -> Path:
    """The run folder, the metadata, Locust under the resource monitor, the invariants."""
    run_dir = create_run_dir(plan.results_dir, plan.app)
    run_id = secrets.token_hex(4)
    meta = initial_meta(plan, run_dir, argv, run_id)
    meta["stack"] = stack.describe() if stack is not None else None
    meta["machine_state"] = machine.machine_state()
    write_run_json(run_dir, META_FILE, meta)
    print(f"{plan.app}: results go to {run_dir}", file=sys.stderr)
    live_pids: dict[str, list[int]] = {"app": [], "db": [], "nginx": [], "loadgen": []}
    if stack is not None:
        live_pids.update(stack.groups())
    with ResourceMonitor(
        run_dir / RAW_DIR / "resources.csv",
        {group: (lambda group=group: live_pids[group]) for group in live_pids},  # type: ignore[misc]
    ):
        code = run_locust(
            plan, host=host, run_dir=run_dir, run_id=run_id, stack=stack, live_pids=live_pids
        )
    invariants: dict[str, Any] = {"ok": None, "skipped": "TARGET_URL: database not ours"}
    if stack is not None:
        invariants = check_database(stack.database_url)
    update_meta(
        run_dir,
        finished_at=datetime.now(UTC).isoformat(),
        locust_exit_code=code,
        invariants=invariants,
    )
    if not plan.ui:
        write_run_json(run_dir, "invariants.json", invariants)
    return run_dir
