"""Whether two runs were measured the same way, so their figures may sit side by side.

Like pyperformance, comparison is refused rather than caveated: runs that differ in ramp,
step length, settle time, spawn rate, think time, SLO, requested resource envelope, seed
size, machine or package versions measure different things. Keys are dotted paths into
meta.json as the orchestrator writes it (the envelope and the seed live in the stack
description).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from scripts.harness.errors import HarnessError
from scripts.harness.meta import lookup

METHOD_KEYS = (
    "ramp",
    "auto_ramp",
    "step_seconds",
    "settle_seconds",
    "spawn_rate",
    "think",
    "slo_ms",
    "stack.envelope.requested",
    "stack.database.seed",
    # Not method settings, but as decisive: the same code on another machine, or another
    # version of a framework, measures something else.
    "machine.cpu_model",
    "machine.logical_cores",
    "machine.memory_mb",
    "versions",
)
_ABSENT = object()


def method_differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """One line per method setting whose value differs between the two meta dicts."""
    differences = []
    for key in METHOD_KEYS:
        left, right = lookup(a, key, _ABSENT), lookup(b, key, _ABSENT)
        if _canonical(left) != _canonical(right):
            differences.append(f"{key}: {_show(left)} != {_show(right)}")
    return differences


def comparability_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """method_differences of two aggregates (their "method" holds METHOD_KEYS)."""
    return method_differences(dict(a["method"]), dict(b["method"]))


def ensure_comparable(metas: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Raise HarnessError naming every difference between the first run and each other run."""
    (first_name, first), *others = metas
    problems = [
        f"{first_name} vs {name}: {diff}"
        for name, meta in others
        for diff in method_differences(first, meta)
    ]
    if problems:
        raise HarnessError("runs differ in method, refusing to compare: " + "; ".join(problems))


def _canonical(value: object) -> object:
    # 60 and 60.0 are the same setting; dict equality already ignores key order.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _show(value: object) -> str:
    return "(absent)" if value is _ABSENT else json.dumps(value, sort_keys=True, default=str)
