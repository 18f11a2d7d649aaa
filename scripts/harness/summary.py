"""summary.json: one run's per-step figures, knee and checks, as plain JSON (rounded)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NotRequired, TypedDict, cast

from scripts.harness.errors import HarnessError
from scripts.harness.figures import Figures
from scripts.harness.knee import Knee
from scripts.harness.layers import ProfileSummary
from scripts.harness.meta import read_json_object
from scripts.harness.steps import StepResult


class EndpointRow(TypedDict):
    requests: int
    rps: float
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    failures: int
    fail_ratio: float


class StepRow(TypedDict):
    index: int
    users: int
    seconds: float
    window_start: float
    window_end: float
    requests: int
    rps: float
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    failures: int
    fail_ratio: float
    app_cpu_pct: float | None
    app_rss_mb: float | None
    db_cpu_pct: float | None
    nginx_cpu_pct: float | None
    loadgen_cpu_pct: float | None
    valid: bool
    invalid_reason: str | None
    endpoints: dict[str, EndpointRow]


class KneeRow(TypedDict):
    avg_users: int | None
    p95_users: int | None
    invalid_breach_users: list[int]


class ErrorsRow(TypedDict):
    any: bool  # any failed request in the whole run, ramps and logins included
    total_failures: int
    first_users_over_1pct: int | None


class LoginRow(TypedDict):
    requests: int
    failures: int
    avg_ms: float | None
    p95_ms: float | None


class EncoreRow(TypedDict):
    """What profiling cost, measured in the run: the encore against its unprofiled twin."""

    users: int
    profiled: StepRow
    unprofiled: StepRow | None  # the ramp step at the same users, if the ramp had one
    rps_change_pct: float | None
    cpu_ms_per_request_change_pct: float | None


class Summary(TypedDict):
    app: str
    variant: str | None
    run: str
    slo_ms: float
    think: Any
    ramp: list[int]  # users of the steps that ran
    auto_ramp: bool  # the ramp grew while the SLO held instead of following a fixed plan
    step_seconds: float
    settle_seconds: float
    spawn_rate: float
    steps: list[StepRow]
    knee: KneeRow
    max_rps_within_slo: float | None
    max_rps_within_slo_users: int | None
    errors: ErrorsRow
    login: LoginRow
    invariants: dict[str, Any]
    complete: bool  # every planned step was recorded (auto ramp: at least one step)
    failure: str | None  # why the run failed (scripts/harness/failure.py), None if it did not
    profile: NotRequired[ProfileSummary]  # only in runs that asked for a profile
    encore: NotRequired[EncoreRow]  # the profiled encore against the same users unprofiled


# Keys that older summary.json files lack. (TypedDict's __optional_keys__ cannot tell:
# under postponed annotations Python 3.11 counts NotRequired keys as required.)
OPTIONAL_KEYS = frozenset({"profile", "encore"})
STEP_CSV_FIELDS = [name for name in StepRow.__annotations__ if name != "endpoints"]


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


def step_row(result: StepResult) -> StepRow:
    fig = endpoint_row(result.figures)
    usage = result.resources
    return {
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
        "valid": result.valid,
        "invalid_reason": "; ".join(result.invalid_reasons) or None,
        "endpoints": {name: endpoint_row(f) for name, f in result.endpoints.items()},
    }


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
) -> Summary:
    variant = meta.get("variant")
    recorded = [r.step.users for r in results]
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
        "steps": [step_row(r) for r in results],
        "knee": {
            "avg_users": knee.avg_users,
            "p95_users": knee.p95_users,
            "invalid_breach_users": list(knee.invalid_breach_users),
        },
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
