"""The stepped user ramp (raw/steps.jsonl) and each step's steady-state figures.

A step's steady state is [start + ramp + settle, end): the time Locust spends spawning or
stopping users (|users delta| / spawn_rate) and a settle period after it are discarded.
A sample belongs to the window its request started in. `/auth/login` is left out of step
figures: logins happen when users spawn, so they measure the ramp, not the steady state.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from loadtest.ramp import steady_start
from scripts.harness.errors import HarnessError
from scripts.harness.figures import Figures, figures_by_name, figures_of
from scripts.harness.resources import ResourceWindow, Series, resource_window
from scripts.harness.samples import LOGIN_NAME, Sample

LOADGEN_LIMIT_PCT = 90.0


@dataclass(frozen=True)
class Step:
    index: int
    users: int
    start: float
    end: float
    encore: bool = False  # PROFILE=1's extra step after the ramp: profiled, never a knee


@dataclass(frozen=True)
class Window:
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class StepResult:
    step: Step
    window: Window
    figures: Figures
    endpoints: dict[str, Figures]
    resources: ResourceWindow
    invalid_reasons: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.invalid_reasons


def load_steps(path: Path) -> list[Step]:
    """Steps in index order; indices must run 0..n-1 and every step must end after it starts."""
    steps: list[Step] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                steps.append(_parse_step(line, path, number))
    steps.sort(key=lambda s: s.index)
    if [s.index for s in steps] != list(range(len(steps))):
        raise HarnessError(f"{path}: step indices must be 0..{len(steps) - 1}")
    if not steps:
        raise HarnessError(f"{path}: no steps")
    return steps


def _parse_step(line: str, path: Path, number: int) -> Step:
    try:
        obj = json.loads(line)
        step = Step(
            index=obj["index"],
            users=obj["users"],
            start=float(obj["start"]),
            end=float(obj["end"]),
            encore=obj.get("encore") is True,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise HarnessError(f"{path}:{number}: not a step object ({exc!r})") from None
    if not isinstance(step.index, int) or not isinstance(step.users, int) or step.users < 0:
        raise HarnessError(f"{path}:{number}: index and users must be non-negative integers")
    if not (math.isfinite(step.start) and math.isfinite(step.end)) or step.end < step.start:
        raise HarnessError(f"{path}:{number}: end must not precede start")
    return step


def steady_windows(
    steps: Sequence[Step], *, spawn_rate: float, settle_seconds: float
) -> list[Window]:
    """Each step's steady-state window; empty (seconds == 0) when ramp + settle fill the step."""
    if spawn_rate <= 0:
        raise HarnessError(f"spawn_rate must be > 0, got {spawn_rate}")
    windows = []
    previous_users = 0
    for step in steps:
        start = steady_start(
            step_start=step.start,
            users_before=previous_users,
            users=step.users,
            spawn_rate=spawn_rate,
            settle_seconds=settle_seconds,
        )
        windows.append(Window(start=min(start, step.end), end=step.end))
        previous_users = step.users
    return windows


def analyze_steps(
    samples: Sequence[Sample],
    steps: Sequence[Step],
    resources: dict[str, Series],
    *,
    spawn_rate: float,
    settle_seconds: float,
    loadgen_limit_pct: float = LOADGEN_LIMIT_PCT,
) -> list[StepResult]:
    """Figures, endpoints, resources and validity of every step's steady state."""
    measured = sorted((s for s in samples if s.name != LOGIN_NAME), key=lambda s: s.t)
    starts = [s.t for s in measured]
    results = []
    for step, window in zip(
        steps,
        steady_windows(steps, spawn_rate=spawn_rate, settle_seconds=settle_seconds),
        strict=True,
    ):
        inside = measured[
            bisect.bisect_left(starts, window.start) : bisect.bisect_left(starts, window.end)
        ]
        usage = resource_window(resources, window.start, window.end)
        results.append(
            StepResult(
                step=step,
                window=window,
                figures=figures_of(inside, window.seconds),
                endpoints=figures_by_name(inside, window.seconds),
                resources=usage,
                invalid_reasons=_invalid_reasons(window, len(inside), usage, loadgen_limit_pct),
            )
        )
    return results


def _invalid_reasons(
    window: Window, requests: int, usage: ResourceWindow, loadgen_limit_pct: float
) -> tuple[str, ...]:
    reasons = []
    if window.seconds == 0:
        reasons.append("no steady state: ramp + settle fill the step")
    elif requests == 0:
        reasons.append("no requests in the steady-state window")
    if usage.loadgen_cpu_pct is None:
        reasons.append("load generator CPU not recorded")
    elif usage.loadgen_cpu_pct > loadgen_limit_pct:
        reasons.append(
            f"load generator at {usage.loadgen_cpu_pct:.1f} % CPU (limit {loadgen_limit_pct:g} %)"
        )
    return tuple(reasons)


def login_figures(samples: Sequence[Sample], seconds: float) -> Figures:
    """Logins over the whole run, reported apart from the steps."""
    return figures_of([s for s in samples if s.name == LOGIN_NAME], seconds)
