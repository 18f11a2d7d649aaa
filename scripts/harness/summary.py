"""summary.json: one run's per-step figures, knee and checks, as plain JSON (rounded)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from scripts.harness.errors import HarnessError
from scripts.harness.figures import Figures
from scripts.harness.knee import Knee
from scripts.harness.meta import read_json_object
from scripts.harness.saturation import load_cores_busy_pct
from scripts.harness.steps import StepResult
from scripts.harness.summary_rows import (
    OPTIONAL_KEYS,
    STEP_CSV_FIELDS,
    EncoreRow,
    EndpointRow,
    ErrorsRow,
    KneeRow,
    LoadgenRow,
    LoginRow,
    StepRow,
    Summary,
)

__all__ = [
    "OPTIONAL_KEYS",
    "STEP_CSV_FIELDS",
    "EncoreRow",
    "EndpointRow",
    "ErrorsRow",
    "KneeRow",
    "LoadgenRow",
    "LoginRow",
    "StepRow",
    "Summary",
    "build_summary",
    "cpu_ms_per_request",
    "dumps",
    "load_summary",
    "step_row",
    "steps_csv",
]


def r2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def endpoint_row(figures: Figures) -> EndpointRow:
    lat = figures.latency
    return {
        "requests": figures.requests,
        "rps": round(figures.rps, 2),
        "avg_ms": r2(lat.avg if lat else None),
        "p50_ms": r2(lat.p50 if lat else None),
        "p95_ms": r2(lat.p95 if lat else None),
        "p99_ms": r2(lat.p99 if lat else None),
        "max_ms": r2(lat.max if lat else None),
        "failures": figures.failures,
        "fail_ratio": round(figures.fail_ratio, 4),
    }


def cost_per_1k_rps(cpu_pct: float | None, rps: float) -> float | None:
    """Percent of one core the load generator spends per 1000 requests per second."""
    return None if cpu_pct is None or rps <= 0 else 1000 * cpu_pct / rps


def step_row(result: StepResult) -> StepRow:
    fig = endpoint_row(result.figures)
    usage = result.resources
    row: StepRow = {
        "index": result.step.index,
        "users": result.step.users,
        "seconds": round(result.window.seconds, 2),
        "window_start": round(result.window.start, 3),
        "window_end": round(result.window.end, 3),
        "requests": fig["requests"],
        "rps": fig["rps"],
        "avg_ms": fig["avg_ms"],
        "p50_ms": fig["p50_ms"],
        "p95_ms": fig["p95_ms"],
        "p99_ms": fig["p99_ms"],
        "max_ms": fig["max_ms"],
        "failures": fig["failures"],
        "fail_ratio": fig["fail_ratio"],
        "app_cpu_pct": r2(usage.app_cpu_pct),
        "app_rss_mb": r2(usage.app_rss_mb),
        "db_cpu_pct": r2(usage.db_cpu_pct),
        "nginx_cpu_pct": r2(usage.nginx_cpu_pct),
        "loadgen_cpu_pct": r2(usage.loadgen_cpu_pct),
        "loadgen_total_cpu_pct": r2(usage.loadgen_total_cpu_pct),
        "loadgen_cpu_per_1k_rps": r2(cost_per_1k_rps(usage.loadgen_total_cpu_pct, fig["rps"])),
        "load_host_busy_pct": r2(load_cores_busy_pct(usage)),
        "load_host_saturated": result.load_host_saturated,
        "valid": result.valid,
        "invalid_reason": "; ".join(result.invalid_reasons) or None,
        "endpoints": {name: endpoint_row(f) for name, f in result.endpoints.items()},
    }
    _add_open_loop(row, result)
    return row


def _add_open_loop(row: StepRow, result: StepResult) -> None:
    """The open-loop figures of a step; nothing in the closed loop."""
    corrected = result.figures.corrected
    if result.step.rate is None and corrected is None:
        return
    requests = result.figures.requests
    row["rate"] = result.step.rate
    row["corrected_avg_ms"] = r2(corrected.avg if corrected else None)
    row["corrected_p50_ms"] = r2(corrected.p50 if corrected else None)
    row["corrected_p95_ms"] = r2(corrected.p95 if corrected else None)
    row["corrected_p99_ms"] = r2(corrected.p99 if corrected else None)
    row["corrected_max_ms"] = r2(corrected.max if corrected else None)
    row["late"] = result.figures.late
    row["late_ratio"] = round(result.figures.late / requests, 4) if requests else 0.0
    row["late_pct"] = round(100 * row["late_ratio"], 2)


def _knee_row(knee: Knee, *, open_loop: bool) -> KneeRow:
    row: KneeRow = {
        "avg_users": knee.avg_users,
        "p95_users": knee.p95_users,
        "invalid_breach_users": list(knee.invalid_breach_users),
    }
    if open_loop:
        row["avg_rate"] = knee.avg_rate
        row["p95_rate"] = knee.p95_rate
    return row


def build_summary(
    *,
    meta: dict[str, Any],
    run_name: str,
    planned_ramp: Sequence[int] | None,
    spawn_rate: float,
    settle_seconds: float,
    step_seconds: float,
    slo_ms: float,
    results: Sequence[StepResult],
    knee: Knee,
    login: Figures,
    total_failures: int,
    invariants: dict[str, Any],
    loadgen: LoadgenRow | None = None,
) -> Summary:
    variant = meta.get("variant")
    recorded = [r.step.users for r in results]
    steps = [step_row(r) for r in results]
    busiest = max(steps, key=lambda s: s["rps"], default=None)
    return {
        "app": str(meta["app"]),
        "variant": str(variant) if variant is not None else None,
        "run": run_name,
        "slo_ms": slo_ms,
        "think": meta.get("think"),
        "ramp": recorded,
        "auto_ramp": planned_ramp is None,
        "step_seconds": step_seconds,
        "settle_seconds": settle_seconds,
        "spawn_rate": spawn_rate,
        "steps": steps,
        "knee": _knee_row(knee, open_loop=any(r.step.rate is not None for r in results)),
        "max_rps_within_slo": r2(knee.max_rps_within_slo),
        "max_rps_within_slo_users": knee.max_rps_users,
        "errors": {
            "any": total_failures > 0,
            "total_failures": total_failures,
            "first_users_over_1pct": knee.first_users_over_fail_ratio,
        },
        "login": {
            "requests": login.requests,
            "failures": login.failures,
            "avg_ms": r2(login.latency.avg if login.latency else None),
            "p95_ms": r2(login.latency.p95 if login.latency else None),
        },
        "invariants": invariants,
        "complete": bool(recorded) if planned_ramp is None else recorded == list(planned_ramp),
        "failure": None,
        "loadgen": loadgen,
        "loadgen_cpu_per_1k_rps": busiest.get("loadgen_cpu_per_1k_rps") if busiest else None,
    }


def cpu_ms_per_request(step: StepRow) -> float | None:
    """The app's CPU time per request in the step (app CPU % is of one core)."""
    if step["app_cpu_pct"] is None or not step["rps"]:
        return None
    return step["app_cpu_pct"] * 10 / step["rps"]


def encore_row(encore: StepRow, steps: Sequence[StepRow]) -> EncoreRow:
    twin = next((s for s in reversed(steps) if s["users"] == encore["users"]), None)
    rps = cpu = None
    if twin is not None and twin["rps"]:
        rps = round(100 * (encore["rps"] / twin["rps"] - 1), 2)
        mine, theirs = cpu_ms_per_request(encore), cpu_ms_per_request(twin)
        if mine is not None and theirs:
            cpu = round(100 * (mine / theirs - 1), 2)
    return {
        "users": encore["users"],
        "profiled": encore,
        "unprofiled": twin,
        "rps_change_pct": rps,
        "cpu_ms_per_request_change_pct": cpu,
    }


def steps_csv(summary: Summary) -> str:
    """The step table as CSV, one row per step (endpoints left to summary.json)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=STEP_CSV_FIELDS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in summary["steps"]:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def dumps(summary: Summary) -> str:
    return json.dumps(summary, indent=2) + "\n"


def load_summary(path: Path) -> Summary:
    """A summary.json written by `build_single_run_report`, checked for its top-level keys."""
    obj = read_json_object(path)
    obj.setdefault("failure", None)  # summaries written before runs could fail
    missing = [k for k in Summary.__annotations__ if k not in obj and k not in OPTIONAL_KEYS]
    if missing:
        raise HarnessError(f"{path}: missing keys {', '.join(missing)}")
    return cast(Summary, obj)
