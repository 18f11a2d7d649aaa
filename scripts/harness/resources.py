"""Per-second resource usage per process group (raw/resources.csv), averaged over windows.

A row stamped `t` is taken to describe the second that ends at `t` (CPU percentages are
usage since the previous reading), so a window (start, end] holds the rows stamped inside it.
"""

from __future__ import annotations

import bisect
import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from scripts.harness.errors import HarnessError
from scripts.harness.stats import mean

RESOURCES_HEADER = ["t", "group", "pid_count", "cpu_pct", "rss_mb"]


@dataclass
class Series:
    """One group's readings in time order; cpu_pct is percent of one core (200 = two cores)."""

    t: list[float] = field(default_factory=list)
    cpu_pct: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def between(self, start: float, end: float) -> Series:
        """The readings stamped in (start, end]."""
        lo = bisect.bisect_right(self.t, start)
        hi = bisect.bisect_right(self.t, end)
        return Series(self.t[lo:hi], self.cpu_pct[lo:hi], self.rss_mb[lo:hi])


@dataclass(frozen=True)
class ResourceWindow:
    """Resource figures of one window; None where the group has no reading in it."""

    app_cpu_pct: float | None
    app_rss_mb: float | None
    db_cpu_pct: float | None
    nginx_cpu_pct: float | None
    loadgen_cpu_pct: float | None  # the busiest single Locust process, at its busiest second


def load_resources(path: Path) -> dict[str, Series]:
    """Readings per group, each group's readings sorted by time."""
    rows: dict[str, list[tuple[float, float, float]]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != RESOURCES_HEADER:
            raise HarnessError(f"{path}: header must be {','.join(RESOURCES_HEADER)}, got {header}")
        for row in reader:
            if len(row) != len(RESOURCES_HEADER):
                raise HarnessError(f"{path}:{reader.line_num}: expected 5 fields, got {len(row)}")
            try:
                values = (float(row[0]), float(row[3]), float(row[4]))
            except ValueError as exc:
                raise HarnessError(f"{path}:{reader.line_num}: {exc}") from None
            if not all(math.isfinite(v) for v in values):
                raise HarnessError(f"{path}:{reader.line_num}: values must be finite")
            rows.setdefault(row[1], []).append(values)
    series: dict[str, Series] = {}
    for group, readings in rows.items():
        readings.sort()
        series[group] = Series(
            t=[r[0] for r in readings],
            cpu_pct=[r[1] for r in readings],
            rss_mb=[r[2] for r in readings],
        )
    return series


def resource_window(resources: dict[str, Series], start: float, end: float) -> ResourceWindow:
    """Mean CPU of app, db and nginx, peak app RSS and peak busiest-Locust CPU in (start, end]."""
    empty = Series()

    def group(name: str) -> Series:
        return resources.get(name, empty).between(start, end)

    app = group("app")
    loadgen_max = group("loadgen_max").cpu_pct
    return ResourceWindow(
        app_cpu_pct=mean(app.cpu_pct),
        app_rss_mb=max(app.rss_mb) if app.rss_mb else None,
        db_cpu_pct=mean(group("db").cpu_pct),
        nginx_cpu_pct=mean(group("nginx").cpu_pct),
        loadgen_cpu_pct=max(loadgen_max) if loadgen_max else None,
    )
