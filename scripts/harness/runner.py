"""One benchmark run: stack up, Locust through the ramp, invariants, results, stack down.

Whatever happens (an error, Ctrl-C, a hung load generator) every process started here is
stopped and the run folder stays marked INCOMPLETE unless every file was written.
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
from scripts.harness import app_host
from scripts.harness.build import build_single_run_report
from scripts.harness.invariants import check_invariants
from scripts.harness.locust_cmd import locust_argv, locust_env, waiting_note
from scripts.harness.meta import META_FILE
from scripts.harness.monitor import ResourceMonitor
from scripts.harness.plan import BenchPlan
from scripts.harness.progress import Progress
from scripts.harness.results import RAW_DIR, create_run_dir, write_run_json
from scripts.harness.runmeta import initial_meta, update_meta

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
        if (note := waiting_note(plan.settings)) is not None:
            print(note, file=sys.stderr)
        if plan.ui:
            print(f"Locust web UI: http://127.0.0.1:{plan.settings.ui_port}", file=sys.stderr)
        bound = None if plan.ui else plan.planned_seconds() + LOCUST_GRACE_SECONDS
        with Progress(plan, run_dir) as progress:
            while locust.alive():
                if bound is not None and progress.elapsed > bound:
                    raise TimeoutError(f"Locust ran past its bound of {bound:.0f} s; stopped")
                if stack is not None:
                    stack.check_alive()
                if not plan.ui:
                    progress.update()
                time.sleep(1)
        return locust.popen.returncode
    finally:
        locust.stop(timeout=30)


def check_database(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        result: dict[str, Any] = dict(check_invariants(conn))
        row = conn.execute("SHOW server_version").fetchone()
        result["server_version"] = row[0] if row else None
    return result


def target_invariants(plan: BenchPlan) -> dict[str, Any]:
    """With TARGET_URL the invariants are checked where DATABASE_URL points, if it does."""
    if plan.settings.database_url is None:
        return {"ok": None, "skipped": "TARGET_URL without DATABASE_URL"}
    return check_database(plan.settings.database_url)


def run_one(plan: BenchPlan, argv: list[str]) -> Path:
    """A whole run for one app; returns its run folder, reported but not yet sealed."""
    run_dir = create_run_dir(plan.results_dir, plan.app)
    run_id = secrets.token_hex(4)
    write_run_json(run_dir, META_FILE, initial_meta(plan, run_dir, argv, run_id))
    print(f"{plan.app}: results go to {run_dir}", file=sys.stderr)
    live_pids: dict[str, list[int]] = {"app": [], "db": [], "nginx": [], "loadgen": []}
    monitor = ResourceMonitor(
        run_dir / RAW_DIR / "resources.csv",
        {group: (lambda group=group: live_pids[group]) for group in live_pids},  # type: ignore[misc]
    )
    try:
        if plan.stack is None:
            assert plan.target_url is not None
            update_meta(run_dir, stack=None)
            if (source := plan.settings.app_resources) is not None:
                app_host.probe(source)
            monitor.start()
            started = time.time()
            code = run_locust(
                plan,
                host=plan.target_url,
                run_dir=run_dir,
                run_id=run_id,
                stack=None,
                live_pids=live_pids,
            )
            monitor.stop()
            if source is not None:
                raw = run_dir / RAW_DIR
                got = app_host.collect(source, raw, since=started, until=time.time())
                update_meta(run_dir, app_resources=got)
            invariants = target_invariants(plan)
        else:
            with Stack(plan.stack) as stack:
                update_meta(run_dir, stack=stack.describe())
                live_pids.update(stack.groups())
                monitor.start()
                code = run_locust(
                    plan,
                    host=stack.base_url,
                    run_dir=run_dir,
                    run_id=run_id,
                    stack=stack,
                    live_pids=live_pids,
                )
                monitor.stop()
                invariants = check_database(stack.database_url)
        update_meta(
            run_dir,
            finished_at=datetime.now(UTC).isoformat(),
            locust_exit_code=code,
            invariants=invariants,
        )
        if plan.ui:
            return run_dir
        write_run_json(run_dir, "invariants.json", invariants)
        build_single_run_report(run_dir)
    finally:
        monitor.stop()
    if invariants.get("ok") is False:
        print(f"{plan.app}: DATABASE INVARIANTS BROKEN: {json.dumps(invariants)}", file=sys.stderr)
    return run_dir
