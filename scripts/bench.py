"""`make bench` / `make bench-<app>` / `make ui-<app>`: benchmark runs, then the comparison.

Usage: python -m scripts.bench APP [APP ...] [--ui]. Settings come from the environment
(make variables), see the README's settings table.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from infra.appservers import APPS, REPO
from scripts.cli import run
from scripts.harness.results import mark_complete
from scripts.harness.runner import RESULTS_DIR, bench_settings, run_one


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument("apps", nargs="+", choices=APPS, help="apps to run, in this order")
    parser.add_argument("--ui", action="store_true", help="Locust web UI instead of headless")
    args = parser.parse_args()
    if args.ui and len(args.apps) != 1:
        parser.error("--ui takes exactly one app")
    # Parse everything before starting anything: a typo fails in a second, not after a run.
    results_dir = Path(os.environ.get("RESULTS_DIR", "").strip() or RESULTS_DIR)
    if args.ui:
        # Hand-driven UI sessions are not benchmark results: keep them out of results/.
        results_dir = REPO / ".run" / "ui"
    plans = [
        bench_settings(os.environ, app, ui=args.ui, results_dir=results_dir) for app in args.apps
    ]
    done = []
    for plan in plans:
        run_dir = run_one(plan)
        if not plan.ui:
            mark_complete(run_dir)
            done.append(run_dir)
            print(f"{plan.app}: complete -> {run_dir / 'summary.md'}", file=sys.stderr)
    if len(done) > 1:
        from scripts.report import main as report_main

        # The comparison only; README tables change only when `make report` is asked for.
        return report_main(["--results", str(results_dir), "--no-readme"])
    return 0


if __name__ == "__main__":
    run(main)
