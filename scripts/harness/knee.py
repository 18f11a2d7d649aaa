"""Where a run breaks its latency SLO, and how much throughput it gave while within it.

Only valid steps can be knees or count towards the throughput within the SLO: an invalid
step (load generator saturated, or no steady state) measured the load generator as much as
the app. Invalid steps that exceeded the SLO are not dropped silently, though: they are
listed in `invalid_breach_users` so the report can say so next to the knee.

A step also needs a failure ratio of at most 1 % to count as within the SLO: an app that
answers errors fast has not served that throughput.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scripts.harness.steps import StepResult

MAX_FAIL_RATIO = 0.01


@dataclass(frozen=True)
class Knee:
    avg_users: int | None  # users of the first valid step whose average exceeded the SLO
    p95_users: int | None  # users of the first valid step whose p95 exceeded the SLO
    invalid_breach_users: tuple[int, ...]
    max_rps_within_slo: float | None
    max_rps_users: int | None
    first_users_over_fail_ratio: int | None  # first step, valid or not, with > 1 % failures
    # Open loop: the target rate (req/s) of those steps; None in the closed loop.
    avg_rate: float | None = None
    p95_rate: float | None = None


def find_knee(
    results: Sequence[StepResult], *, slo_ms: float, max_fail_ratio: float = MAX_FAIL_RATIO
) -> Knee:
    # In the open loop the SLO is judged on the latency counted from the intended starts.
    def over_avg(r: StepResult) -> bool:
        judged = r.figures.judged
        return judged is not None and judged.avg > slo_ms

    def over_p95(r: StepResult) -> bool:
        judged = r.figures.judged
        return judged is not None and judged.p95 > slo_ms

    valid = [r for r in results if r.valid]
    within = [
        r
        for r in valid
        if not over_avg(r) and r.figures.requests and r.figures.fail_ratio <= max_fail_ratio
    ]
    best = max(within, key=lambda r: r.figures.rps, default=None)
    return Knee(
        avg_users=next((r.step.users for r in valid if over_avg(r)), None),
        p95_users=next((r.step.users for r in valid if over_p95(r)), None),
        avg_rate=next((r.step.rate for r in valid if over_avg(r)), None),
        p95_rate=next((r.step.rate for r in valid if over_p95(r)), None),
        invalid_breach_users=tuple(
            r.step.users for r in results if not r.valid and (over_avg(r) or over_p95(r))
        ),
        max_rps_within_slo=best.figures.rps if best else None,
        max_rps_users=best.step.users if best else None,
        first_users_over_fail_ratio=next(
            (r.step.users for r in results if r.figures.fail_ratio > max_fail_ratio), None
        ),
    )
