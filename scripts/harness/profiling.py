"""py-spy on an app server's process tree: a flame graph, a speedscope profile, the stacks.

Two py-spy processes sample the same tree over the same window, one per output format:
py-spy writes one format per run, and drawing the SVG by hand would redo what its own
renderer (inferno) does. The layer table comes from the speedscope file, which keeps every
frame's full file name; its collapsed stacks (files as module paths) are kept in raw/.

py-spy's flags, and why, are in `scripts/harness/pyspy.py`. A profile that cannot be taken (no
ptrace permission, process gone, py-spy not installed) gives a one-line `problem`, never an
exception.
"""

from __future__ import annotations

import gzip
import json
import shutil
import signal
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from infra.procs import ManagedProcess
from scripts.harness.layers import collapsed_from_speedscope, collapsed_text
from scripts.harness.pyspy import (
    pin_threads,
    problem_from_log,
    ptrace_problem,
    pyspy_argv,
    pyspy_command,
    pyspy_flags,
)
from scripts.harness.results import atomic_write

PROFILE_RATE = 25  # samples per second per process: PROFILE_RATE
SVG_FILE = "profile.svg"
SPEEDSCOPE_FILE = "profile.speedscope.json"
COLLAPSED_FILE = "profile.collapsed.txt"
ATTACH_TIMEOUT = 15.0  # py-spy needs well under a second to find the interpreters
STOP_TIMEOUT = 60.0  # time to write its file after SIGINT
GZIP_ABOVE = 1 << 20  # collapsed stacks larger than this are kept gzip-compressed
# py-spy prints this once it has attached (Rust's stdout is line-buffered, also to a file).
_ATTACHED = "Sampling process"


@dataclass(frozen=True)
class ProfileResult:
    """What one profile left: its files, its stacks, how long it sampled, or why it failed."""

    files: dict[str, Path] = field(default_factory=dict)  # flamegraph, speedscope, collapsed
    flags: tuple[str, ...] = ()  # py-spy's sampling flags
    stacks: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    problem: str | None = None

    @property
    def samples(self) -> int:
        return sum(self.stacks.values())


class ProfileSession:
    """Two running py-spy recordings of one process tree (or the reason there are none)."""

    def __init__(self, *, pid: int, out_dir: Path, raw_dir: Path) -> None:
        self.pid = pid
        self.out_dir = out_dir
        self.raw_dir = raw_dir
        self.procs: dict[str, ManagedProcess] = {}
        self.problem: str | None = None
        self.flags: tuple[str, ...] = ()
        self.started = time.monotonic()

    def pids(self) -> list[int]:
        """py-spy's own pids, so the caller can keep them off the app's cores."""
        return [proc.pid for proc in self.procs.values() if proc.alive()]

    def start(
        self, command: list[str], *, rate: int, max_seconds: float, cpus: Sequence[int] | None
    ) -> None:
        outputs = {
            "flamegraph": self.out_dir / SVG_FILE,
            "speedscope": self.out_dir / SPEEDSCOPE_FILE,
        }
        self.flags = pyspy_flags(self.pid)
        for fmt, output in outputs.items():
            argv = pyspy_argv(
                command,
                pid=self.pid,
                fmt=fmt,
                output=output,
                rate=rate,
                max_seconds=max_seconds,
                flags=self.flags,
            )
            try:
                self.procs[fmt] = ManagedProcess(
                    f"py-spy {fmt}",
                    argv,
                    log_path=self.raw_dir / f"profile-pyspy-{fmt}.log",
                    stop_signal=signal.SIGINT,  # py-spy writes its file on Ctrl-C, not SIGTERM
                )
            except OSError as exc:
                self.problem = f"py-spy could not be started: {exc}"
                self._kill()
                return
        self._wait_attached()
        if cpus:
            for pid in self.pids():
                pin_threads(pid, cpus)
        self.started = time.monotonic()

    def _wait_attached(self) -> None:
        deadline = time.monotonic() + ATTACH_TIMEOUT
        waiting = dict(self.procs)
        while waiting and time.monotonic() < deadline:
            for fmt, proc in list(waiting.items()):
                if _ATTACHED in proc.log_tail(5):
                    del waiting[fmt]
                elif not proc.alive():
                    self.problem = problem_from_log(proc.log_tail(), self.pid)
                    self._kill()
                    return
            time.sleep(0.05)
        if waiting:
            self.problem = f"py-spy did not attach to pid {self.pid} within {ATTACH_TIMEOUT:g} s"
            self._kill()

    def _kill(self) -> None:
        for proc in self.procs.values():
            proc.stop(timeout=STOP_TIMEOUT)
        self.procs = {}

    def stop(self) -> ProfileResult:
        """Stop sampling (SIGINT makes py-spy write its files) and read what was written."""
        seconds = time.monotonic() - self.started
        failed: list[str] = []
        for proc in self.procs.values():
            proc.stop(timeout=STOP_TIMEOUT)
            if proc.popen.returncode != 0:
                failed.append(problem_from_log(proc.log_tail(), self.pid))
        self.procs = {}
        if self.problem is None and failed:
            self.problem = failed[0]
        if self.problem is not None:
            return ProfileResult(problem=self.problem)
        return self._read(seconds)

    def _read(self, seconds: float) -> ProfileResult:
        svg, speedscope = self.out_dir / SVG_FILE, self.out_dir / SPEEDSCOPE_FILE
        try:
            stacks = collapsed_from_speedscope(json.loads(speedscope.read_text()))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            return ProfileResult(problem=f"py-spy's speedscope file is unreadable: {exc}")
        if not svg.is_file():
            return ProfileResult(problem="py-spy wrote no flame graph")
        files = {
            "flamegraph": svg,
            "speedscope": speedscope,
            "collapsed": write_collapsed(self.raw_dir, stacks),
        }
        problem = None if stacks else "py-spy took no samples: no worker held the GIL"
        return ProfileResult(
            files=files, flags=self.flags, stacks=stacks, seconds=seconds, problem=problem
        )


def write_collapsed(raw_dir: Path, stacks: Counter[str]) -> Path:
    """Write the collapsed stacks, gzip-compressed when large; return the file's path."""
    text = collapsed_text(stacks).encode()
    if len(text) > GZIP_ABOVE:
        path = raw_dir / f"{COLLAPSED_FILE}.gz"
        atomic_write(path, gzip.compress(text, mtime=0))
    else:
        path = raw_dir / COLLAPSED_FILE
        atomic_write(path, text)
    return path


def read_collapsed(path: Path) -> str:
    """The collapsed stacks written by `write_collapsed`, compressed or not."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode()


def start_profile(
    *,
    pid: int,
    out_dir: Path,
    raw_dir: Path,
    max_seconds: float,
    rate: int = PROFILE_RATE,
    cpus: Sequence[int] | None = None,
    command: list[str] | None = None,
) -> ProfileSession:
    """Start sampling `pid` and its children; returns once py-spy is attached or has failed.

    `cpus`: the cores py-spy may run on (the envelope's other cores, so that sampling never
    takes the app's core). Never raises for a profile that cannot be taken: the session's
    `problem` says why in one line, and `stop()` then returns a result without files.
    """
    session = ProfileSession(pid=pid, out_dir=out_dir, raw_dir=raw_dir)
    command = command if command is not None else pyspy_command()
    if command is None or shutil.which(command[0]) is None:
        session.problem = "py-spy is not installed (it comes with the project's loadtest extra)"
    elif not psutil.pid_exists(pid):
        session.problem = f"py-spy could not profile pid {pid}: no such process"
    elif (problem := ptrace_problem(pid)) is not None:
        session.problem = problem
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        raw_dir.mkdir(parents=True, exist_ok=True)
        session.start(command, rate=rate, max_seconds=max_seconds, cpus=cpus)
    return session
