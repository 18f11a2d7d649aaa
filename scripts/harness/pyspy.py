"""The py-spy command: where it is, its flags, its files, and its failures in one line.

py-spy runs with
- no `--subprocesses`: one py-spy per process to sample instead (gunicorn's or uvicorn's
  workers, or a lone uvicorn). Following children makes py-spy rescan all of /proc every
  100 ms: 5.6-6.3 % of a core here for a 3-worker gunicorn at 25 Hz, against 2.4-2.5 %
  for three py-spys of one worker each;
- `--nonblocking`: the app is never paused. py-spy's default stops every thread with
  ptrace for each sample, which costs the app CPU time and, as py-spy's README warns, wakes
  idle threads so that they are sampled as running (measured on this project: an idle
  uvicorn looked busy in 28 % of the intervals, in `Condition.wait` of an idle AnyIO
  thread; a loaded one as five threads running at once);
- `--gil`: a sample is a thread holding the GIL, so "CPU" here means time spent running
  Python code or C code called from it without releasing the GIL. Waits on the database,
  the network or a lock release the GIL and are not counted (py-spy's default `--idle`
  off would drop them too, but only as well as its thread-state guess works); C code
  that releases the GIL while busy (hashlib's PBKDF2) is missed, and a GIL holder that
  waits for a busy core counts, so shares are fair but sample counts are not CPU time.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil

FLAGS = ("--nonblocking", "--gil")
NO_PTRACE = (
    "py-spy has no ptrace permission for pid {pid}: run as root, add CAP_SYS_PTRACE, "
    "or set kernel.yama.ptrace_scope=0"
)


def pyspy_command() -> list[str] | None:
    """py-spy from this environment's bin folder, else from PATH; None when not installed."""
    beside = Path(sys.executable).parent / "py-spy"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("py-spy")
    return [found] if found else None


def sample_targets(pid: int) -> list[int]:
    """The processes to sample: `pid`'s descendants (the workers), or `pid` when it has none.

    A gunicorn master only waits on its workers; py-spy would find it idle anyway.
    """
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return [pid]
    return sorted(child.pid for child in children) or [pid]


def pyspy_argv(
    command: list[str],
    *,
    pid: int,
    fmt: str,
    output: Path,
    rate: int,
    max_seconds: float,
) -> list[str]:
    """One py-spy recording; it also ends by itself after `max_seconds` (a safety bound)."""
    return [
        *command,
        "record",
        "--pid",
        str(pid),
        "--format",
        fmt,
        "--output",
        str(output),
        "--rate",
        str(rate),
        "--duration",
        str(max(1, math.ceil(max_seconds))),
        *FLAGS,
    ]


def ptrace_problem(pid: int) -> str | None:
    """Why this process may not read `pid`'s memory as py-spy must, or None when it may.

    Opening /proc/<pid>/mem takes the kernel's ptrace-attach check (Yama's ptrace_scope
    included), as py-spy's reads do; py-spy itself does not always say "permission" (as
    root without CAP_SYS_PTRACE it says it cannot find the process's executable).
    """
    try:
        with Path(f"/proc/{pid}/mem").open("rb"):
            return None
    except FileNotFoundError:
        return f"py-spy could not profile pid {pid}: no such process"
    except PermissionError:
        return NO_PTRACE.format(pid=pid)
    except OSError:
        return None  # not Linux's procfs, or another oddity: let py-spy try and tell


def problem_from_log(text: str, pid: int) -> str:
    """py-spy's failure as one line, with the usual fix for a missing ptrace permission."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any("permission denied" in line.lower() for line in lines):
        return NO_PTRACE.format(pid=pid)
    errors = [line.removeprefix("Error:").strip() for line in lines if line.startswith("Error:")]
    detail = errors[0] if errors else (lines[-1] if lines else "no output")
    return f"py-spy could not profile pid {pid}: {detail}"


def pin_threads(pid: int, cpus: Sequence[int]) -> None:
    """Keep every thread of `pid` on `cpus`; threads it starts later inherit the mask.

    psutil's cpu_affinity sets the main thread only, and py-spy samples from threads of
    its own, which would stay free to run on the app's core.
    """
    with contextlib.suppress(psutil.Error):
        for thread in psutil.Process(pid).threads():
            with contextlib.suppress(OSError):
                os.sched_setaffinity(thread.id, cpus)


def merge_speedscope(docs: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """One speedscope document from py-spy's per-process ones: frames joined, threads named."""
    first = next(iter(docs.values()), {})
    frames: list[Any] = []
    profiles: list[Any] = []
    for pid, doc in docs.items():
        offset = len(frames)
        frames += doc["shared"]["frames"]
        for profile in doc["profiles"]:
            samples = [[offset + i for i in sample] for sample in profile["samples"]]
            name = f"Process {pid} {profile.get('name', '')}".rstrip()
            profiles.append({**profile, "name": name, "samples": samples})
    return {**first, "shared": {"frames": frames}, "profiles": profiles}
