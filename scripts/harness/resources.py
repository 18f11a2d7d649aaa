"""Per-second resource usage per process group, from every host that recorded some.

A row stamped `t` is taken to describe the second that ends at `t` (CPU percentages are
usage since the previous reading), so a window (start, end] holds the rows stamped inside it.
CPU is in percent of one core (200 = two cores busy). A row with no process in its group is
not a measurement (the group was not running, or runs on another host) and is left out, so
a figure without readings is None ("not measured"), never 0.

The files of a run's raw/ folder:
- resources.csv: the harness's own monitor (app, db, nginx when it started the stack; the
  Locust processes on this host as `loadgen` and `loadgen_max`; the cores Locust may use as
  `cores`, whose pid_count is how many they are);
- resources-app-host.csv: the app host's samples (`make serve RESOURCES_OUT/RESOURCES_PORT`),
  whose `cores` group (all its cores) becomes `app_host_cores`;
- resources-workers.csv: one `loadgen_worker_<index>` group per Locust worker on another host,
  from the CPU time each worker sends with its samples (loadtest/transport.py).
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
CORES_GROUP = "cores"
APP_HOST_FILE = "resources-app-host.csv"
WORKERS_FILE = "resources-workers.csv"
WORKER_PREFIX = "loadgen_worker_"
# Other files of raw/ and how their groups are renamed when merged with resources.csv.
MERGED_FILES = {APP_HOST_FILE: {CORES_GROUP: "app_host_cores"}, WORKERS_FILE: {}}


@dataclass
class Series:
    """One group's readings in time order."""

    t: list[float] = field(default_factory=list)
    cpu_pct: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    pid_count: list[int] = field(default_factory=list)

    def between(self, start: float, end: float) -> Series:
        """The readings stamped in (start, end]."""
        lo = bisect.bisect_right(self.t, start)
        hi = bisect.bisect_right(self.t, end)
        return Series(self.t[lo:hi], self.cpu_pct[lo:hi], self.rss_mb[lo:hi], self.pid_count[lo:hi])


@dataclass(frozen=True)
class ResourceWindow:
    """Resource figures of one window; None where nothing was measured in it."""

    app_cpu_pct: float | None
    app_rss_mb: float | None
    db_cpu_pct: float | None
    nginx_cpu_pct: float | None
    loadgen_cpu_pct: float | None  # the busiest single Locust process, at its busiest second
    loadgen_total_cpu_pct: float | None = None  # every Locust process, on every host (mean)
    loadgen_here_cpu_pct: float | None = None  # the Locust processes on this host (mean)
    load_cores_cpu_pct: float | None = None  # the cores Locust may use, whoever used them
    load_cores: int | None = None  # how many cores that is


def load_resources(path: Path, rename: dict[str, str] | None = None) -> dict[str, Series]:
    """Readings per group (renamed by `rename`), each group's readings sorted by time."""
    rows: dict[str, list[tuple[float, float, float, int]]] = {}
    _read_rows(path, rows, rename or {})
    return _series(rows)


def load_run_resources(raw_dir: Path) -> dict[str, Series]:
    """resources.csv (required) merged with the app host's and the remote workers' files."""
    path = raw_dir / "resources.csv"
    if not path.is_file():
        raise HarnessError(f"{path}: missing")
    rows: dict[str, list[tuple[float, float, float, int]]] = {}
    _read_rows(path, rows, {})
    for name, rename in MERGED_FILES.items():
        if (raw_dir / name).is_file():
            _read_rows(raw_dir / name, rows, rename)
    return _series(rows)


def _read_rows(
    path: Path, rows: dict[str, list[tuple[float, float, float, int]]], rename: dict[str, str]
) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != RESOURCES_HEADER:
            raise HarnessError(f"{path}: header must be {','.join(RESOURCES_HEADER)}, got {header}")
        for row in reader:
            if len(row) != len(RESOURCES_HEADER):
                raise HarnessError(f"{path}:{reader.line_num}: expected 5 fields, got {len(row)}")
            try:
                values = (float(row[0]), float(row[3]), float(row[4]), int(row[2]))
            except ValueError as exc:
                raise HarnessError(f"{path}:{reader.line_num}: {exc}") from None
            if not all(math.isfinite(v) for v in values):
                raise HarnessError(f"{path}:{reader.line_num}: values must be finite")
            if values[3] > 0:
                rows.setdefault(rename.get(row[1], row[1]), []).append(values)


def _series(rows: dict[str, list[tuple[float, float, float, int]]]) -> dict[str, Series]:
    series: dict[str, Series] = {}
    for group, readings in rows.items():
        readings.sort()
        series[group] = Series(
            t=[r[0] for r in readings],
            cpu_pct=[r[1] for r in readings],
            rss_mb=[r[2] for r in readings],
            pid_count=[r[3] for r in readings],
        )
    return series


def resource_window(resources: dict[str, Series], start: float, end: float) -> ResourceWindow:
    """Mean CPU of app, db, nginx, Locust and its cores; peak app RSS; the busiest Locust."""
    empty = Series()

    def group(name: str) -> Series:
        return resources.get(name, empty).between(start, end)

    app = group("app")
    workers = [group(name) for name in sorted(resources) if name.startswith(WORKER_PREFIX)]
    busiest = [*group("loadgen_max").cpu_pct, *(cpu for w in workers for cpu in w.cpu_pct)]
    # The mean of a sum is the sum of the means: no need to line up the hosts' seconds.
    here = mean(group("loadgen").cpu_pct)
    parts = [here, *(mean(w.cpu_pct) for w in workers)]
    measured = [p for p in parts if p is not None]
    cores = group(CORES_GROUP)
    return ResourceWindow(
        app_cpu_pct=mean(app.cpu_pct),
        app_rss_mb=max(app.rss_mb) if app.rss_mb else None,
        db_cpu_pct=mean(group("db").cpu_pct),
        nginx_cpu_pct=mean(group("nginx").cpu_pct),
        loadgen_cpu_pct=max(busiest) if busiest else None,
        loadgen_total_cpu_pct=sum(measured) if measured else None,
        loadgen_here_cpu_pct=here,
        load_cores_cpu_pct=mean(cores.cpu_pct),
        load_cores=max(cores.pid_count) if cores.pid_count else None,
    )
