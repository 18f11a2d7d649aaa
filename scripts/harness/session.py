"""`make bench` / `make bench-<app>` / `make matrix`: every app's trials, interleaved, in one
session folder, then the session's aggregate report.

A session folder (results/<UTC timestamp>-<name>/) holds `session.json` (the plan and the
order the runs actually ran in), `runs/` (one ordinary run folder per trial) and the
aggregate files. It is marked INCOMPLETE until every run is sealed and the aggregate is
written; a failed run stops the session, which is then sealed as FAILED.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.appservers import REPO
from infra.settings import Settings
from scripts.harness.plan import BenchPlan, plan_run
from scripts.harness.results import (
    FAILED,
    INCOMPLETE,
    TIMESTAMP_FORMAT,
    atomic_write,
    mark_complete,
)
from scripts.harness.runner import RunFailedError, run_one
from scripts.harness.session_report import RUNS_DIR, SESSION_FILE, write_session_report
from scripts.harness.ui import check_ui_port

# Hand-driven UI sessions are not benchmark results: they stay out of results/.
UI_RESULTS_DIR = REPO / ".run" / "ui"


def trial_order(apps: list[str], trials: int) -> list[tuple[int, str]]:
    """(trial, app) in running order: each trial rotates the apps, so that a drift of the
    machine over the session hits every app alike (A B, B A, A B ... for two apps)."""
    order = []
    for trial in range(1, trials + 1):
        shift = (trial - 1) % len(apps)
        rotated = apps[shift:] + apps[:shift]
        order += [(trial, app) for app in rotated]
    return order


def session_name(settings: Settings, apps: list[str], *, matrix: bool) -> str:
    """matrix, bench (both default apps), bench-<app>; with the variant label when set."""
    name = "matrix" if matrix else "bench" if len(apps) > 1 else f"bench-{apps[0]}"
    labels = sorted({plan_run(settings, app).variant or "" for app in apps} - {""})
    if labels:
        name += "-" + re.sub(r"[^A-Za-z0-9]+", "-", "-".join(labels)).strip("-")
    return name


def run_session(
    settings: Settings, apps: list[str], *, argv: list[str], matrix: bool = False
) -> Path:
    """Every trial of every app, interleaved, then the session's report; returns the
    sealed session folder."""
    # Plan everything before starting anything: a typo fails in a second, not after a run.
    plans = {app: plan_run(settings, app) for app in apps}
    stamp = datetime.now(UTC).strftime(TIMESTAMP_FORMAT)
    folder = settings.results_dir / f"{stamp}-{session_name(settings, apps, matrix=matrix)}"
    folder.mkdir(parents=True)
    (folder / INCOMPLETE).touch()
    order = trial_order(apps, settings.trials)
    record: dict[str, Any] = {
        "name": folder.name,
        "kind": "matrix" if matrix else "bench",
        "apps": apps,
        "variants": {app: plan.variant for app, plan in plans.items()},
        "trials": settings.trials,
        "order": [{"trial": t, "app": a, "run": None, "status": "planned"} for t, a in order],
        "settings": settings.record(),
        "started_at": datetime.now(UTC).isoformat(),
        "finished_at": None,
        "status": "running",
    }
    _write(folder, record)
    print(f"session {folder.name}: {len(order)} runs ({_order_text(order)})", file=sys.stderr)
    for entry in record["order"]:
        plan = replace(plans[entry["app"]], results_dir=folder / RUNS_DIR)
        entry["status"] = "running"
        _write(folder, record)
        try:
            run_dir = _trial(plan, argv, entry)
        except BaseException as exc:
            if not any((folder / RUNS_DIR).glob("*")):
                # Nothing was measured (a taken port, a dead target): nothing to keep.
                shutil.rmtree(folder)
                raise
            entry["status"] = "failed" if isinstance(exc, RunFailedError) else "interrupted"
            record["status"] = entry["status"]
            _write(folder, record)
            if isinstance(exc, RunFailedError):
                _seal_failed(folder, str(exc))
            raise
        entry.update(run=run_dir.name, status="complete")
        _write(folder, record)
    record.update(status="complete", finished_at=datetime.now(UTC).isoformat())
    _write(folder, record)
    for path in write_session_report(folder):
        print(f"wrote {path}", file=sys.stderr)
    (folder / INCOMPLETE).unlink()
    return folder


def _trial(plan: BenchPlan, argv: list[str], entry: dict[str, Any]) -> Path:
    print(f"{plan.app}: trial {entry['trial']}", file=sys.stderr)
    run_dir = run_one(plan, argv)
    mark_complete(run_dir)
    print(f"{plan.app}: complete -> {run_dir / 'summary.md'}", file=sys.stderr)
    return run_dir


def run_ui(settings: Settings, app: str, *, argv: list[str]) -> Path:
    """One hand-driven Locust web UI session, kept out of results/."""
    plan = replace(plan_run(settings, app, ui=True), results_dir=UI_RESULTS_DIR)
    check_ui_port(settings)
    return run_one(plan, argv)


def _seal_failed(folder: Path, reason: str) -> None:
    (folder / FAILED).write_text(reason + "\n", encoding="utf-8")
    (folder / INCOMPLETE).unlink(missing_ok=True)


def _order_text(order: list[tuple[int, str]]) -> str:
    return ", ".join(f"{app}#{trial}" for trial, app in order)


def _write(folder: Path, record: dict[str, Any]) -> None:
    atomic_write(folder / SESSION_FILE, json.dumps(record, indent=2) + "\n")
