"""From raw files to report files: one run's summary, tables and charts; the cross-run report."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scripts.harness import charts
from scripts.harness.compare import ensure_comparable, method_differences
from scripts.harness.errors import HarnessError
from scripts.harness.failure import failure_reason
from scripts.harness.knee import find_knee
from scripts.harness.markdown import RunView, run_markdown, side_by_side
from scripts.harness.meta import (
    load_meta,
    lookup,
    planned_ramp,
    read_json_object,
    require,
    require_number,
)
from scripts.harness.readme import replace_section
from scripts.harness.resources import load_resources
from scripts.harness.results import RAW_DIR, atomic_write, newest_complete_run, write_run_file
from scripts.harness.samples import load_samples
from scripts.harness.steps import analyze_steps, load_steps, login_figures
from scripts.harness.summary import Summary, build_summary, dumps, load_summary, steps_csv
from scripts.harness.timeline import Timeline, build_timeline

INVARIANTS_FILE = "invariants.json"  # written by the orchestrator from check_invariants()
NOT_CHECKED: dict[str, Any] = {"ok": None, "checks": {}}
APPS = (("django", "Django"), ("fastapi", "FastAPI"))
CONN_MAX_AGE_0 = "conn_max_age=0"  # meta.json "variant" of Django runs with CONN_MAX_AGE=0
CONN_MAX_AGE_PATH = "stack.app_server.conn_max_age"


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
    results = analyze_steps(
        samples, steps, resources, spawn_rate=spawn_rate, settle_seconds=settle_seconds
    )
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


@dataclass(frozen=True)
class _Section:
    title: str
    runs: list[RunView]
    chart_stem: str
    note: str = ""


def write_comparison_report(*, results_dir: Path, readme: Path | None) -> list[Path]:
    """Newest complete run per app (and Django's CONN_MAX_AGE=0 variant), side by side.

    Writes comparison.md and comparison charts into `results_dir`, and the README section
    unless `readme` is None.
    Refuses (HarnessError) when the Django and FastAPI runs differ in method; a
    CONN_MAX_AGE=0 run that differs from the default Django run is left out with a note.
    """
    sections = _sections(results_dir)
    new_readme = None
    if readme is not None:
        readme_prefix = Path(os.path.relpath(results_dir, readme.parent)).as_posix()
        new_readme = replace_section(
            _readme_text(readme), _body(sections, image_prefix=f"{readme_prefix}/")
        )
    written = []
    for section in sections:
        if not section.runs:
            continue
        pairs = [(run.label, run.summary) for run in section.runs]
        for kind, png in (
            ("latency", charts.comparison_latency_chart(pairs)),
            ("rps", charts.comparison_rps_chart(pairs)),
        ):
            path = results_dir / f"{section.chart_stem}-{kind}.png"
            atomic_write(path, png)
            written.append(path)
    comparison = results_dir / "comparison.md"
    heading = (
        "# Results\n\nThe newest complete runs, by `make report` (python -m scripts.report).\n\n"
    )
    atomic_write(comparison, heading + _body(sections, image_prefix=""))
    written.append(comparison)
    if readme is not None and new_readme is not None:
        atomic_write(readme, new_readme)
        written.append(readme)
    return written


def _sections(results_dir: Path) -> list[_Section]:
    main = [
        _view(run_dir, label, results_dir)
        for app, label in APPS
        if (run_dir := newest_complete_run(results_dir, app)) is not None
    ]
    if not main:
        raise HarnessError(f"{results_dir}: no complete django or fastapi run")
    ensure_comparable([(run.folder, run.meta) for run in main])
    sections = [_Section(" vs ".join(run.label for run in main), main, "comparison")]
    django = next((run for run in main if run.summary["app"] == "django"), None)
    zero_dir = newest_complete_run(results_dir, "django", variant=CONN_MAX_AGE_0)
    if django is not None and zero_dir is not None:
        sections.append(_conn_max_age_section(django, _view(zero_dir, "", results_dir)))
    for variant in _shared_variants(results_dir):
        pair = [
            _view(run_dir, label, results_dir)
            for app, label in APPS
            if (run_dir := newest_complete_run(results_dir, app, variant=variant)) is not None
        ]
        differences = method_differences(pair[0].meta, pair[1].meta)
        title = f"{pair[0].label} vs {pair[1].label}, variant `{variant}`"
        stem = "variant-" + "".join(c if c.isalnum() else "-" for c in variant)
        if differences:
            note = f"Not compared: the two runs differ in method ({'; '.join(differences)})."
            sections.append(_Section(title, [], stem, note))
        else:
            sections.append(_Section(title, pair, stem))
    return sections


def _shared_variants(results_dir: Path) -> list[str]:
    """Variant labels with a complete run of every app (CONN_MAX_AGE=0 has its own section)."""
    seen: dict[str, set[str]] = {}
    for run_dir in sorted(p for p in results_dir.iterdir() if p.is_dir()):
        if not (run_dir / "meta.json").is_file() or (run_dir / "INCOMPLETE").exists():
            continue
        meta = load_meta(run_dir)
        variant = meta.get("variant")
        if isinstance(variant, str) and variant != CONN_MAX_AGE_0 and meta.get("complete"):
            seen.setdefault(variant, set()).add(str(meta.get("app")))
    wanted = {app for app, _ in APPS}
    return sorted(v for v, apps in seen.items() if apps >= wanted)


def _conn_max_age_section(django: RunView, zero: RunView) -> _Section:
    """Default Django against its CONN_MAX_AGE=0 variant, or a note why they cannot be."""
    age = lookup(django.meta, CONN_MAX_AGE_PATH)
    age_text = "default" if age is None else str(age)
    title = f"Django: CONN_MAX_AGE 0 vs {age_text}"
    differences = method_differences(django.meta, zero.meta)
    if differences:
        note = (
            f"The newest CONN_MAX_AGE=0 run `{zero.folder}` was measured differently from "
            f"`{django.folder}` ({'; '.join(differences)}), so it is not compared."
        )
        return _Section(title, [], "conn-max-age", note)
    runs = [
        replace(django, label=f"CONN_MAX_AGE={age_text}"),
        replace(zero, label="CONN_MAX_AGE=0"),
    ]
    return _Section(title, runs, "conn-max-age")


def _body(sections: list[_Section], *, image_prefix: str) -> str:
    parts = []
    for section in sections:
        if not section.runs:
            parts.append(f"### {section.title}\n\n{section.note}\n")
            continue
        parts.append(
            side_by_side(
                section.runs,
                title=section.title,
                charts=[
                    ("latency per step", f"{image_prefix}{section.chart_stem}-latency.png"),
                    ("throughput per step", f"{image_prefix}{section.chart_stem}-rps.png"),
                ],
            )
        )
    return "\n".join(parts)


def _view(run_dir: Path, label: str, results_dir: Path) -> RunView:
    return RunView(
        label=label,
        folder=f"{results_dir.name}/{run_dir.name}",
        summary=load_summary(run_dir / "summary.json"),
        meta=load_meta(run_dir),
    )


def _readme_text(readme: Path) -> str:
    try:
        return readme.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HarnessError(f"{readme}: missing") from None


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
