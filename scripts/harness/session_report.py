"""A session's own report: one aggregate per app (its trials), and the apps side by side.

Layout of a finished session folder:
    session.json              the plan and the order the runs ran in
    runs/<ts>-<app>/          one ordinary run folder per trial
    <app>/aggregate.json ...  that app's trials folded (scripts/harness/trial_files.py)
    summary.md, comparison-*.png   the apps side by side, with verdicts
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.harness.errors import HarnessError
from scripts.harness.meta import read_json_object
from scripts.harness.results import atomic_write
from scripts.harness.trial_files import default_label, trials_comparison, write_aggregate
from scripts.harness.trial_markdown import AggregateView
from scripts.harness.trials import AGGREGATE_FILE, load_aggregate

SESSION_FILE = "session.json"
RUNS_DIR = "runs"
SUMMARY_FILE = "summary.md"


def load_session(folder: Path) -> dict[str, Any]:
    record = read_json_object(folder / SESSION_FILE)
    if not isinstance(record.get("order"), list) or not isinstance(record.get("apps"), list):
        raise HarnessError(f"{folder / SESSION_FILE}: 'order' and 'apps' must be lists")
    return record


def completed_runs(record: dict[str, Any]) -> dict[str, list[str]]:
    """Each app's complete trial runs (folder names), in the order they ran."""
    runs: dict[str, list[str]] = {app: [] for app in record["apps"]}
    for entry in record["order"]:
        if entry.get("status") == "complete" and entry.get("run"):
            runs.setdefault(entry["app"], []).append(entry["run"])
    return runs


def session_views(folder: Path, *, prefix: str = "") -> list[AggregateView]:
    """The session's aggregates, in the session's app order; `prefix` is how a report
    outside the folder names it (e.g. "results/")."""
    record = load_session(folder)
    views = []
    for app in record["apps"]:
        aggregate = load_aggregate(folder / app / AGGREGATE_FILE)
        views.append(
            AggregateView(default_label(aggregate), f"{prefix}{folder.name}/{app}", aggregate)
        )
    return views


def write_session_report(folder: Path) -> list[Path]:
    """Every app's aggregate, then summary.md with the apps side by side."""
    record = load_session(folder)
    schedule = [entry["run"] for entry in record["order"] if entry.get("run")]
    written = []
    for app, runs in completed_runs(record).items():
        if not runs:
            raise HarnessError(f"{folder}: no complete run of {app}")
        write_aggregate(
            [folder / RUNS_DIR / run for run in runs],
            folder / app,
            schedule=schedule,
            folder=f"{folder.name}/{app}",
        )
        written.append(folder / app / AGGREGATE_FILE)
    views = session_views(folder)
    title = " vs ".join(view.label for view in views)
    text, charts = trials_comparison(views, title=title, chart_stem="comparison")
    for name, png in charts.items():
        atomic_write(folder / name, png)
        written.append(folder / name)
    heading = f"# Session {folder.name}\n\nCommand: `{_command(folder, record)}`.\n\n"
    atomic_write(folder / SUMMARY_FILE, heading + text)
    written.append(folder / SUMMARY_FILE)
    return written


def _command(folder: Path, record: dict[str, Any]) -> str:
    first = next((e["run"] for e in record["order"] if e.get("run")), None)
    if first is None:
        return "?"
    meta = read_json_object(folder / RUNS_DIR / first / "meta.json")
    return str(meta.get("command", "?"))
