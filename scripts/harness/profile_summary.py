"""A run's profile: the record the runner leaves in raw/, and summary.json's "profile" from it.

The runner writes raw/profile.json when a profile was asked for (taken or not); the report
builder turns it, the collapsed stacks and the profiled step's figures into the layer table.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scripts.harness.errors import HarnessError
from scripts.harness.layers import ProfileSummary, layer_counts, layer_rows, parse_collapsed
from scripts.harness.meta import read_json_object
from scripts.harness.profiling import ProfileResult, read_collapsed
from scripts.harness.results import RAW_DIR, atomic_write
from scripts.harness.summary import StepRow

PROFILE_RECORD = "profile.json"


def pyspy_version() -> str:
    try:
        return f"py-spy {importlib.metadata.version('py-spy')}"
    except importlib.metadata.PackageNotFoundError:
        return "py-spy"


def write_profile_record(
    run_dir: Path, result: ProfileResult, *, step_index: int, users: int, rate: int
) -> Path:
    """raw/profile.json: which step was profiled, how, and what it left (or why it failed)."""
    record = {
        "step_index": step_index,
        "users": users,
        "rate_hz": rate,
        "method": " ".join([pyspy_version(), *result.flags]),
        "seconds": round(result.seconds, 2),
        "pids": list(result.pids),
        "samples": result.samples,
        "files": {kind: _relative(path, run_dir) for kind, path in result.files.items()},
        "problem": result.problem,
    }
    path = run_dir / RAW_DIR / PROFILE_RECORD
    atomic_write(path, json.dumps(record, indent=2) + "\n")
    return path


def _relative(path: Path, run_dir: Path) -> str:
    try:
        return path.relative_to(run_dir).as_posix()
    except ValueError:
        return str(path)


def profile_summary(run_dir: Path, steps: Sequence[StepRow]) -> ProfileSummary | None:
    """summary.json's "profile", or None when the run took no profile (no raw/profile.json)."""
    path = run_dir / RAW_DIR / PROFILE_RECORD
    if not path.exists():
        return None
    record = read_json_object(path)
    step = next((s for s in steps if s["index"] == record.get("step_index")), None)
    requests = step["requests"] if step is not None else None
    cpu = _app_cpu_seconds(step)
    files = {str(k): str(v) for k, v in dict(record.get("files") or {}).items()}
    problem = record.get("problem")
    layers = []
    if problem is None:
        collapsed = files.get("collapsed")
        if collapsed is None:
            raise HarnessError(f"{path}: no collapsed stacks recorded")
        try:
            stacks = parse_collapsed(read_collapsed(run_dir / collapsed))
        except OSError as exc:
            raise HarnessError(f"{path}: cannot read {collapsed}: {exc}") from exc
        layers = layer_rows(layer_counts(stacks), requests=requests, app_cpu_seconds=cpu)
    return {
        "users": _int_or_none(record.get("users")),
        "seconds": float(record.get("seconds") or 0.0),
        "rate_hz": int(record.get("rate_hz") or 0),
        "method": str(record.get("method") or ""),
        "processes": len(record.get("pids") or []),
        "samples": sum(row["samples"] for row in layers),
        "requests": requests,
        "app_cpu_seconds": None if cpu is None else round(cpu, 3),
        "files": files,
        "layers": layers,
        "problem": None if problem is None else str(problem),
    }


def _app_cpu_seconds(step: StepRow | None) -> float | None:
    if step is None or step["app_cpu_pct"] is None:
        return None
    return step["app_cpu_pct"] / 100.0 * step["seconds"]


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None
