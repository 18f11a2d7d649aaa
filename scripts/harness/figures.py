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
    # Open loop (ARRIVAL) only: latency from each request's intended start, and how many
    # requests could not start on time.
    corrected: Latency | None = None
    late: int = 0

    @property
    def judged(self) -> Latency | None:
        """The latency the SLO is judged on: corrected in the open loop, else as measured."""
        return self.corrected if self.corrected is not None else self.latency

    @property
    def rps(self) -> float:
        return rate(self.requests, self.seconds)

    @property
    def fail_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def figures_of(samples: Sequence[Sample], seconds: float) -> Figures:
    paced = any(s.intended is not None for s in samples)
    return Figures(
        seconds=seconds,
        requests=len(samples),
        failures=sum(1 for s in samples if not s.ok),
        latency=latency([s.ms for s in samples]),
        corrected=latency([s.corrected_ms for s in samples]) if paced else None,
        late=sum(1 for s in samples if s.late),
    )


def figures_by_name(samples: Iterable[Sample], seconds: float) -> dict[str, Figures]:
    """Figures per route name, names sorted."""
    groups: dict[str, list[Sample]] = {}
    for sample in samples:
        groups.setdefault(sample.name, []).append(sample)
    return {name: figures_of(groups[name], seconds) for name in sorted(groups)}
