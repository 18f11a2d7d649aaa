"""`make bench` / `make bench-<app>` / `make ui-<app>`: plan every run, run them, compare."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from infra.appservers import REPO
from infra.settings import Settings
from scripts.harness.build import write_comparison_report
from scripts.harness.plan import plan_run
from scripts.harness.results import mark_complete
from scripts.harness.runner import run_one
from scripts.harness.ui import check_ui_port

# Hand-driven UI sessions are not benchmark results: they stay out of results/.
UI_RESULTS_DIR = REPO / ".run" / "ui"


def run_bench(settings: Settings, apps: list[str], *, ui: bool, argv: list[str]) -> list[Path]:
    """Every app's run, in order; the comparison when more than one app completed."""
    # Plan everything before starting anything: a typo fails in a second, not after a run.
    plans = [plan_run(settings, app, ui=ui) for app in apps]
    if ui:
        check_ui_port(settings)
        plans = [replace(plan, results_dir=UI_RESULTS_DIR) for plan in plans]
    done = []
    for plan in plans:
        run_dir = run_one(plan, argv)
        if not plan.ui:
            mark_complete(run_dir)
            done.append(run_dir)
            print(f"{plan.app}: complete -> {run_dir / 'summary.md'}", file=sys.stderr)
    if len(done) > 1:
        # The comparison only; README tables change only when `make report` is asked for.
        for path in write_comparison_report(results_dir=settings.results_dir, readme=None):
            print(f"wrote {path}")
    return done
