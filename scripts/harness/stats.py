"""Exact latency statistics over raw values: no histogram buckets, no rounding.

Percentiles use the nearest-rank definition: the p-th percentile of n sorted values is the
value at rank ceil(p/100 * n) (1-based). The answer is always a latency that was actually
observed, and "p95 <= 100 ms" means exactly "at least 95 % of requests took <= 100 ms",
which is the statement an SLO makes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


def nearest_rank(sorted_values: Sequence[float], pct: float) -> float:
    """The `pct`-th percentile (0 < pct <= 100) of values already sorted ascending."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0 < pct <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {pct}")
    # Fraction(str(...)) keeps 99.9 as 999/1000, so the rank is exact, not float-rounded.
    rank = math.ceil(Fraction(str(pct)) * len(sorted_values) / 100)
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Latency:
    """Response-time figures of a non-empty set of requests, in milliseconds."""

    avg: float
    p50: float
    p95: float
    p99: float
    max: float


def latency(values: Sequence[float]) -> Latency | None:
    """Average, p50, p95, p99 and max of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return Latency(
        avg=math.fsum(ordered) / len(ordered),
        p50=nearest_rank(ordered, 50),
        p95=nearest_rank(ordered, 95),
        p99=nearest_rank(ordered, 99),
        max=ordered[-1],
    )


def rate(count: int, seconds: float) -> float:
    """Events per second; 0 for an empty interval rather than a division error."""
    return count / seconds if seconds > 0 else 0.0


def mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None
