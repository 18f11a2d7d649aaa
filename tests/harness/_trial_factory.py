"""Trials with chosen figures, built from a real summary of `_factory.two_step_run`."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scripts.harness.build import analyze_run
from scripts.harness.summary import Summary
from scripts.harness.trials import Trial
from tests.harness._factory import base_meta, two_step_run

StepFigures = tuple[float, float, float]  # req/s, avg ms, p95 ms


def base_summary(tmp_path: Path) -> Summary:
    """A summary computed from raw files, used as the template of every synthetic trial."""
    return analyze_run(two_step_run(tmp_path))[0]


def make_trial(
    template: Summary,
    run: str,
    steps: Mapping[int, StepFigures],
    *,
    app: str = "django",
    invalid: tuple[int, ...] = (),
    knee_avg: int | None = None,
    knee_p95: int | None = None,
    best: float | str | None = "auto",
    meta: Mapping[str, Any] | None = None,
) -> Trial:
    """A trial whose steps have the given (req/s, avg, p95) by users.

    `best` ("auto") is the most req/s among valid steps with an average within 100 ms.
    """
    summary = copy.deepcopy(template)
    row = summary["steps"][0]
    summary["run"], summary["app"] = run, app
    summary["steps"] = []
    for index, (users, (rps, avg, p95)) in enumerate(sorted(steps.items())):
        step = copy.deepcopy(row)
        step.update({"index": index, "users": users, "rps": rps, "avg_ms": avg, "p95_ms": p95})
        step.update({"p99_ms": p95 + 10, "app_cpu_pct": 50.0 + index})
        step["valid"] = users not in invalid
        summary["steps"].append(step)
    summary["ramp"] = sorted(steps)
    within = [s for s in summary["steps"] if s["valid"] and (s["avg_ms"] or 0) <= 100]
    top = max(within, key=lambda s: s["rps"], default=None)
    if best == "auto":
        summary["max_rps_within_slo"] = top["rps"] if top else None
        summary["max_rps_within_slo_users"] = top["users"] if top else None
    else:
        summary["max_rps_within_slo"] = best if not isinstance(best, str) else None
        summary["max_rps_within_slo_users"] = None if best is None else sorted(steps)[0]
    summary["knee"]["avg_users"], summary["knee"]["p95_users"] = knee_avg, knee_p95
    return Trial(run, summary, base_meta(app, **(meta or {})))
