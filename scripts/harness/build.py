"""From raw files to report files: one run's summary, tables and charts; the cross-run report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.harness import charts
from scripts.harness.errors import HarnessError
from scripts.harness.failure import failure_reason
from scripts.harness.knee import find_knee
from scripts.harness.markdown import run_markdown
from scripts.harness.meta import (
    load_meta,
    planned_ramp,
    read_json_object,
    require,
    require_number,
)
from scripts.harness.profile_summary import profile_summary
from scripts.harness.resources import load_resources
from scripts.harness.results import RAW_DIR, write_run_file
from scripts.harness.samples import load_samples
from scripts.harness.steps import analyze_steps, load_steps, login_figures
from scripts.harness.summary import (
    Summary,
    build_summary,
    dumps,
    encore_row,
    step_row,
    steps_csv,
)
from scripts.harness.timeline import Timeline, build_timeline

INVARIANTS_FILE = "invariants.json"  # written by the orchestrator from check_invariants()
NOT_CHECKED: dict[str, Any] = {"ok": None, "checks": {}}


def analyze_run(run_dir: Path) -> tuple[Summary, Timeline]:
    """Read a run folder's meta.json and raw files; compute its summary and timeline."""
    meta = load_meta(run_dir)
    if not isinstance(require(meta, "app"), str):
        raise HarnessError("meta.json: 'app' must be a string")
    require(meta, "think")
    slo_ms = require_number(meta, "slo_ms", minimum=1e-9)
    spawn_rate = require_number(meta, "spawn_rate", minimum=1e-9)
    settle_seconds = require_number(meta, "settle_seconds")
    raw = run_dir / RAW_DIR
    samples = load_samples(raw)
    steps = load_steps(_existing(raw / "steps.jsonl"))
    resources = load_resources(_existing(raw / "resources.csv"))
    analyzed = analyze_steps(
        samples, steps, resources, spawn_rate=spawn_rate, settle_seconds=settle_seconds
    )
    # The profiled encore is reported with the profile, never as part of the ramp.
    results = [r for r in analyzed if not r.step.encore]
    encore = [step_row(r) for r in analyzed if r.step.encore]
    summary = build_summary(
        meta=meta,
        run_name=run_dir.name,
        planned_ramp=planned_ramp(meta),
        spawn_rate=spawn_rate,
        settle_seconds=settle_seconds,
        step_seconds=require_number(meta, "step_seconds"),
        slo_ms=slo_ms,
        results=results,
        knee=find_knee(results, slo_ms=slo_ms),
        login=login_figures(samples, steps[-1].end - steps[0].start),
        total_failures=sum(1 for s in samples if not s.ok),
        invariants=_invariants(run_dir),
    )
    profile = profile_summary(run_dir, [*summary["steps"], *encore])
    if profile is not None:
        summary["profile"] = profile
    if encore:
        summary["encore"] = encore_row(encore[0], summary["steps"])
    return summary, build_timeline(samples, steps, resources)


def build_single_run_report(run_dir: Path) -> Summary:
    """Write summary.json, steps.csv, summary.md and the three charts into an incomplete run.

    A run that measured nothing but errors is reported with its `failure` set.
    """
    summary, timeline = analyze_run(run_dir)
    summary["failure"] = failure_reason(summary)
    meta = load_meta(run_dir)
    write_run_file(run_dir, "summary.json", dumps(summary))
    write_run_file(run_dir, "steps.csv", steps_csv(summary))
    write_run_file(run_dir, "summary.md", run_markdown(summary, meta))
    write_run_file(run_dir, "latency.png", charts.latency_chart(summary))
    write_run_file(run_dir, "rps.png", charts.rps_chart(summary))
    write_run_file(run_dir, "timeline.png", charts.timeline_chart(timeline, summary))
    return summary


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise HarnessError(f"{path}: missing")
    return path


def _invariants(run_dir: Path) -> dict[str, Any]:
    path = run_dir / INVARIANTS_FILE
    if not path.is_file():
        return dict(NOT_CHECKED)
    obj = read_json_object(path)
    if "ok" not in obj:
        raise HarnessError(f"{path}: must be an object with 'ok'")
    return obj
