"""Per-second series of a whole run, for the timeline chart: load, latency, CPU, users."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from scripts.harness.resources import Series
from scripts.harness.samples import LOGIN_NAME, Sample
from scripts.harness.stats import nearest_rank
from scripts.harness.steps import Step

CPU_GROUPS = ("app", "db", "nginx", "loadgen_max")


@dataclass(frozen=True)
class Timeline:
    """x values are seconds since the first step started; second i covers [i, i + 1)."""

    origin: float  # epoch of x = 0
    rps: list[int]
    rolling_p95_ms: list[float | None]  # p95 of the requests started in the trailing window
    rolling_seconds: int
    step_starts: list[float]
    users: list[int]
    cpu: dict[str, tuple[list[float], list[float]]]

    @property
    def seconds(self) -> list[int]:
        return list(range(len(self.rps)))


def build_timeline(
    samples: Sequence[Sample],
    steps: Sequence[Step],
    resources: dict[str, Series],
    *,
    rolling_seconds: int = 10,
) -> Timeline:
    origin, finish = steps[0].start, steps[-1].end
    measured = sorted((s for s in samples if s.name != LOGIN_NAME), key=lambda s: s.t)
    starts = [s.t for s in measured]
    bins = max(1, math.ceil(finish - origin))

    def index(t: float) -> int:
        return bisect.bisect_left(starts, t)

    rps = [index(origin + i + 1) - index(origin + i) for i in range(bins)]
    rolling: list[float | None] = []
    for i in range(bins):
        window = sorted(
            s.ms for s in measured[index(origin + i + 1 - rolling_seconds) : index(origin + i + 1)]
        )
        rolling.append(nearest_rank(window, 95) if window else None)
    cpu = {
        group: ([t - origin for t in resources[group].t], list(resources[group].cpu_pct))
        for group in CPU_GROUPS
        if group in resources
    }
    return Timeline(
        origin=origin,
        rps=rps,
        rolling_p95_ms=rolling,
        rolling_seconds=rolling_seconds,
        step_starts=[s.start - origin for s in steps],
        users=[s.users for s in steps],
        cpu=cpu,
    )
