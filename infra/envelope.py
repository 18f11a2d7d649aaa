"""The app's resource envelope (CPUs, memory) and CPU placement of everything else.

Preference order: cgroup v2, cgroup v1 (both give a CPU set, a CPU quota and a hard memory
limit), then CPU affinity only (taskset semantics, no memory limit), then nothing. What was
applied, and what could not be, is returned so the run's metadata can say it.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

CGROUP_ROOT = Path("/sys/fs/cgroup")
CFS_PERIOD_US = 100_000


@dataclass(frozen=True)
class Envelope:
    """What the app server may use: `cpus` (fractions allowed) and `mem_mb`."""

    cpus: float = 1.0
    mem_mb: int = 512

    def __post_init__(self) -> None:
        if not self.cpus > 0:
            raise ValueError(f"APP_CPUS must be > 0, got {self.cpus}")
        if self.mem_mb < 64:
            raise ValueError(f"APP_MEM_MB must be >= 64, got {self.mem_mb}")


@dataclass(frozen=True)
class Placement:
    """Which cores the app gets, and which the database, Nginx and Locust get."""

    app_cores: tuple[int, ...]
    other_cores: tuple[int, ...]
    shared: bool  # True when the machine is too small to keep the others off the app's cores


def plan_cores(available: list[int], cpus: float) -> Placement:
    """Give the app the last ceil(cpus) cores and everything else the rest."""
    if not available:
        raise ValueError("no CPU cores available")
    ordered = sorted(available)
    want = min(math.ceil(cpus), len(ordered))
    app = tuple(ordered[-want:])
    rest = tuple(ordered[:-want])
    if not rest:
        return Placement(app_cores=app, other_cores=tuple(ordered), shared=True)
    return Placement(app_cores=app, other_cores=rest, shared=False)


def available_cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def _own_cgroup_v1(controller: str) -> Path | None:
    base = CGROUP_ROOT / controller
    if not base.is_dir():
        return None
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return base / path.lstrip("/")
    return None


def _cgroup_v2_root() -> Path | None:
    for candidate in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        controllers = candidate / "cgroup.controllers"
        if controllers.exists() and {"cpu", "cpuset", "memory"} <= set(
            controllers.read_text().split()
        ):
            return candidate
    return None


@dataclass
class AppliedEnvelope:
    """The outcome of confining the app; `cleanup` removes any cgroups created."""

    method: str
    app_cores: tuple[int, ...]
    other_cores: tuple[int, ...]
    cpu_quota: float | None = None
    mem_limit_mb: int | None = None
    not_applied: list[str] = field(default_factory=list)
    cgroups: list[Path] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "app_cores": list(self.app_cores),
            "other_cores": list(self.other_cores),
            "cpu_quota": self.cpu_quota,
            "mem_limit_mb": self.mem_limit_mb,
            "not_applied": self.not_applied,
        }

    def cleanup(self) -> None:
        for path in reversed(self.cgroups):
            with contextlib.suppress(OSError):
                path.rmdir()
        self.cgroups.clear()


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _try_cgroup_v1(pid: int, env: Envelope, place: Placement, name: str) -> AppliedEnvelope:
    applied = AppliedEnvelope("cgroup-v1", place.app_cores, place.other_cores)
    cores = ",".join(str(c) for c in place.app_cores)
    cpuset, cpu, memory = (_own_cgroup_v1(c) for c in ("cpuset", "cpu", "memory"))
    if cpuset is None or cpu is None or memory is None:
        raise OSError("cgroup v1 controllers cpuset, cpu and memory are not all mounted")
    group = cpuset / name
    group.mkdir()
    applied.cgroups.append(group)
    _write(group / "cpuset.cpus", cores)
    _write(group / "cpuset.mems", (cpuset / "cpuset.mems").read_text().strip() or "0")
    _write(group / "cgroup.procs", str(pid))
    group = cpu / name
    group.mkdir()
    applied.cgroups.append(group)
    _write(group / "cpu.cfs_period_us", str(CFS_PERIOD_US))
    _write(group / "cpu.cfs_quota_us", str(int(env.cpus * CFS_PERIOD_US)))
    _write(group / "cgroup.procs", str(pid))
    applied.cpu_quota = env.cpus
    group = memory / name
    group.mkdir()
    applied.cgroups.append(group)
    _write(group / "memory.limit_in_bytes", str(env.mem_mb * 1024 * 1024))
    _write(group / "cgroup.procs", str(pid))
    applied.mem_limit_mb = env.mem_mb
    return applied


def _try_cgroup_v2(
    root: Path, pid: int, env: Envelope, place: Placement, name: str
) -> AppliedEnvelope:
    applied = AppliedEnvelope("cgroup-v2", place.app_cores, place.other_cores)
    group = root / name
    group.mkdir()
    applied.cgroups.append(group)
    _write(group / "cpuset.cpus", ",".join(str(c) for c in place.app_cores))
    _write(group / "cpu.max", f"{int(env.cpus * CFS_PERIOD_US)} {CFS_PERIOD_US}")
    _write(group / "memory.max", str(env.mem_mb * 1024 * 1024))
    _write(group / "cgroup.procs", str(pid))
    applied.cpu_quota = env.cpus
    applied.mem_limit_mb = env.mem_mb
    return applied


def _remove_partial(name: str) -> None:
    """Remove cgroups a failed attempt left behind (empty, so rmdir is enough)."""
    roots = [_cgroup_v2_root(), *(_own_cgroup_v1(c) for c in ("cpuset", "cpu", "memory"))]
    for root in roots:
        if root is not None:
            with contextlib.suppress(OSError):
                (root / name).rmdir()


def confine_app(pid: int, env: Envelope, place: Placement, *, name: str) -> AppliedEnvelope:
    """Confine the app server (before it forks its workers) as tightly as this machine allows."""
    errors: list[str] = []
    v2 = _cgroup_v2_root()
    attempts: list[Callable[[], AppliedEnvelope]] = []
    if v2 is not None:
        attempts.append(lambda: _try_cgroup_v2(v2, pid, env, place, name))
    attempts.append(lambda: _try_cgroup_v1(pid, env, place, name))
    for attempt in attempts:
        try:
            applied = attempt()
        except OSError as exc:
            errors.append(str(exc))
            _remove_partial(name)
            continue
        if place.shared:
            applied.not_applied.append("the machine has no core to spare: others share the app's")
        return applied
    try:
        psutil.Process(pid).cpu_affinity(list(place.app_cores))
    except (psutil.Error, AttributeError, OSError) as exc:
        return AppliedEnvelope(
            "none",
            place.app_cores,
            place.other_cores,
            not_applied=[f"cpu affinity: {exc}", *errors],
        )
    applied = AppliedEnvelope("taskset", place.app_cores, place.other_cores)
    applied.not_applied += [
        "memory limit (no writable cgroup)",
        "fractional CPU quota (no writable cgroup)",
        *errors,
    ]
    return applied


def pin_others(pids: list[int], place: Placement) -> list[str]:
    """Keep the database, Nginx and Locust on the cores the app does not use."""
    problems = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                p.cpu_affinity(list(place.other_cores))
        except (psutil.Error, AttributeError, OSError) as exc:
            problems.append(f"pid {pid}: {exc}")
    return problems
