"""Per-second CPU and memory of named process groups, written to raw/resources.csv.

A group is a callable returning its root pids; each tick re-reads the roots and their
descendants, because app server workers and Locust --processes workers appear after the
monitor starts. CPU is measured from cpu_times deltas (percent of one core, summed over the
group), never with psutil's blocking cpu_percent(interval). A row stamped `t` describes the
interval that ends at `t` (scripts/harness/resources.py reads it that way).

A `cores` row describes the cores the load generator may run on (all of them when there is
none, as on an app host), whoever uses them: CPU busy on those cores (percent of one core),
the machine's memory in use, and, in place of a process count, how many cores they are.
With the app confined, PostgreSQL, Nginx and Locust share exactly these cores.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil

from scripts.harness.resources import CORES_GROUP, RESOURCES_HEADER

logger = logging.getLogger(__name__)

LOADGEN_GROUP = "loadgen"
LOADGEN_MAX_GROUP = "loadgen_max"
_MB = 1024 * 1024

RootPids = Callable[[], Iterable[int]]


@dataclass(frozen=True, slots=True)
class GroupReading:
    """One group over one interval; cpu_pct is percent of one core (200 = two cores busy)."""

    pid_count: int
    cpu_pct: float
    rss_mb: float


@dataclass(frozen=True, slots=True)
class _ProcessReading:
    cpu_seconds: float  # CPU used during the interval
    rss_bytes: int


# A pid can be reused by a new process; the creation time tells them apart.
_Key = tuple[int, float]


class ResourceMonitor:
    """Samples the groups every `interval` seconds in a background thread, appending to `path`.

    A `loadgen` group also yields a `loadgen_max` row: its busiest single process, which is
    what saturates first (one Locust process uses one core at most).
    """

    def __init__(
        self,
        path: Path,
        groups: Mapping[str, RootPids],
        *,
        interval: float = 1.0,
        host: bool = True,
    ) -> None:
        self.path = path
        self._host = host
        self._core_busy = _busy_per_core()
        self._groups = dict(groups)
        self._interval = interval
        self._processes: dict[_Key, psutil.Process] = {}
        self._cpu_seen: dict[_Key, float] = {}
        self._group_of: dict[_Key, str] = {}
        self._last_tick = 0.0  # epoch, to compare with process creation times
        self._last_tick_mono = time.monotonic()  # for CPU time deltas, immune to clock steps
        self._latest: dict[str, GroupReading] = {}
        self._latest_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._file: IO[str] | None = None
        self._failed_groups: set[str] = set()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("ResourceMonitor already started")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", newline="", encoding="utf-8")
        if self._file.tell() == 0:
            csv.writer(self._file).writerow(RESOURCES_HEADER)
        # The first reading only sets every process's baseline; rows start one interval later.
        self._sample()
        self._thread = threading.Thread(target=self._run, name="resource-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling, wait for the thread and close the file (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ResourceMonitor:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def live(self) -> dict[str, GroupReading]:
        """The most recent reading of every group, for a progress line."""
        with self._latest_lock:
            return dict(self._latest)

    def _run(self) -> None:
        deadline = time.monotonic()
        while True:
            deadline += self._interval
            if self._stop.wait(max(0.0, deadline - time.monotonic())):
                return
            stamp, readings = self._sample()
            self._write(stamp, readings)

    def _sample(self) -> tuple[float, dict[str, GroupReading]]:
        now, now_mono = time.time(), time.monotonic()
        since = self._last_tick
        elapsed = now_mono - self._last_tick_mono
        self._last_tick, self._last_tick_mono = now, now_mono
        per_process: dict[_Key, _ProcessReading] = {}
        members: dict[str, list[_Key]] = {}
        for group, roots in self._groups.items():
            keys = []
            for process in self._discover(group, roots):
                key = self._key(process)
                if key is None:
                    continue
                if key not in per_process:
                    reading = self._read(key, since)
                    if reading is None:
                        continue
                    per_process[key] = reading
                    self._group_of[key] = group
                keys.append(key)
            members[group] = keys
        counted_before = self._counted_by_gone(per_process.keys())
        self._forget_gone(per_process.keys())
        readings = {
            group: _aggregate(
                [per_process[k] for k in keys], elapsed, already=counted_before.get(group, 0.0)
            )
            for group, keys in members.items()
        }
        if LOADGEN_GROUP in members:
            loadgen = [per_process[k] for k in members[LOADGEN_GROUP]]
            busiest = max(loadgen, key=lambda r: r.cpu_seconds, default=None)
            readings[LOADGEN_MAX_GROUP] = _aggregate([busiest] if busiest else [], elapsed)
        if self._host:
            readings[CORES_GROUP] = self._cores_reading(elapsed)
        with self._latest_lock:
            self._latest = readings
        return now, readings

    def _cores_reading(self, elapsed: float) -> GroupReading:
        now = _busy_per_core()
        previous, self._core_busy = self._core_busy, now
        cores = self._load_cores(len(now))
        busy = sum(max(0.0, now[c] - previous[c]) for c in cores if c < len(previous))
        memory = psutil.virtual_memory()
        return GroupReading(
            pid_count=len(cores),
            cpu_pct=100.0 * busy / elapsed if elapsed > 0 else 0.0,
            rss_mb=(memory.total - memory.available) / _MB,
        )

    def _load_cores(self, count: int) -> list[int]:
        """The cores the load generator's main process may use; every core without one."""
        roots = self._groups.get(LOADGEN_GROUP)
        with contextlib.suppress(Exception):
            for pid in roots() if roots is not None else ():
                return [c for c in psutil.Process(pid).cpu_affinity() if c < count]
        return list(range(count))

    def _discover(self, group: str, roots: RootPids) -> list[psutil.Process]:
        try:
            pids = list(roots())
        except Exception:
            # A failing callable must not end the whole monitor; log it once per group.
            if group not in self._failed_groups:
                self._failed_groups.add(group)
                logger.exception("resource monitor: pids of group %r could not be read", group)
            return []
        found: dict[int, psutil.Process] = {}
        for pid in pids:
            try:
                root = psutil.Process(pid)
                found[pid] = root
                for child in root.children(recursive=True):
                    found[child.pid] = child
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return list(found.values())

    def _key(self, process: psutil.Process) -> _Key | None:
        try:
            key = (process.pid, process.create_time())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        # Reuse the cached Process so psutil keeps its own per-process state.
        self._processes.setdefault(key, process)
        return key

    def _read(self, key: _Key, since: float) -> _ProcessReading | None:
        process = self._processes[key]
        try:
            with process.oneshot():
                if process.status() == psutil.STATUS_ZOMBIE:
                    return None  # exited, not yet reaped: it holds neither CPU nor memory
                times = process.cpu_times()
                rss = process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        # Reaped children's time too: a PostgreSQL backend that lives for one request
        # (CONN_MAX_AGE=0) starts and ends between two ticks and would otherwise be missed.
        cpu = times.user + times.system + times.children_user + times.children_system
        previous = self._cpu_seen.get(key)
        if previous is None:
            # Born during the interval: all its CPU belongs to it. Otherwise only a baseline.
            previous = 0.0 if key[1] >= since > 0 else cpu
        self._cpu_seen[key] = cpu
        return _ProcessReading(cpu_seconds=max(0.0, cpu - previous), rss_bytes=rss)

    def _counted_by_gone(self, alive: Iterable[_Key]) -> dict[str, float]:
        """CPU already counted for processes that exited since the last tick, per group.

        Their parent's reaped-children time now includes all of it again (see `_read`).
        """
        keep = set(alive)
        counted: dict[str, float] = {}
        for key, cpu in self._cpu_seen.items():
            group = self._group_of.get(key)
            if key not in keep and group is not None:
                counted[group] = counted.get(group, 0.0) + cpu
        return counted

    def _forget_gone(self, alive: Iterable[_Key]) -> None:
        keep = set(alive)
        for key in [k for k in self._processes if k not in keep]:
            del self._processes[key]
            self._cpu_seen.pop(key, None)
            self._group_of.pop(key, None)

    def _write(self, t: float, readings: Mapping[str, GroupReading]) -> None:
        if self._file is None:
            return
        writer = csv.writer(self._file)
        for group, reading in readings.items():
            writer.writerow(
                [
                    f"{t:.3f}",
                    group,
                    reading.pid_count,
                    f"{reading.cpu_pct:.1f}",
                    f"{reading.rss_mb:.1f}",
                ]
            )
        self._file.flush()


def _busy_per_core() -> list[float]:
    """CPU seconds each core spent on anything but idling, since boot."""
    # As psutil's own cpu_percent: Linux counts guest time inside user and nice already.
    not_busy = ("idle", "iowait", "guest", "guest_nice")
    return [
        float(sum(times) - sum(getattr(times, name, 0.0) for name in not_busy))
        for times in psutil.cpu_times(percpu=True)
    ]


def _aggregate(
    readings: list[_ProcessReading], elapsed: float, *, already: float = 0.0
) -> GroupReading:
    cpu_seconds = max(0.0, sum(r.cpu_seconds for r in readings) - already)
    return GroupReading(
        pid_count=len(readings),
        cpu_pct=100.0 * cpu_seconds / elapsed if elapsed > 0 else 0.0,
        rss_mb=sum(r.rss_bytes for r in readings) / _MB,
    )
