"""Throughput, latency and failure figures of a set of requests over a known interval."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scripts.harness.samples import Sample
from scripts.harness.stats import Latency, latency, rate


@dataclass(frozen=True)
class Figures:
    """Every request counts, failed ones included, in throughput and latency (as Locust does)."""

    seconds: float
    requests: int
    failures: int
    latency: Latency | None

    @property
    def rps(self) -> float:
        return rate(self.requests, self.seconds)

    @property
    def fail_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def figures_of(samples: Sequence[Sample], seconds: float) -> Figures:
    return Figures(
        seconds=seconds,
        requests=len(samples),
        failures=sum(1 for s in samples if not s.ok),
        latency=latency([s.ms for s in samples]),
    )


def figures_by_name(samples: Iterable[Sample], seconds: float) -> dict[str, Figures]:
    """Figures per route name, names sorted."""
    groups: dict[str, list[Sample]] = {}
    for sample in samples:
        groups.setdefault(sample.name, []).append(sample)
    return {name: figures_of(groups[name], seconds) for name in sorted(groups)}
