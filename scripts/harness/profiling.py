"""py-spy on an app server's process tree: a flame graph, a speedscope profile, the stacks.

One py-spy per worker records a speedscope file; they are merged into one, the source of
the layer table (it keeps every frame's full file name; its collapsed stacks, files as
module paths, are kept in raw/). One more py-spy draws the SVG flame graph of the first
worker: py-spy writes one format per run, and drawing the SVG by hand would redo what its
renderer (inferno) does; the workers of one server run the same code.

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
    FLAGS,
    merge_speedscope,
    pin_threads,
    problem_from_log,
    ptrace_problem,
    pyspy_argv,
    pyspy_command,
    sample_targets,
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
    pids: tuple[int, ...] = ()  # the processes sampled; the flame graph shows the first
    stacks: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    problem: str | None = None
    flags: tuple[str, ...] = FLAGS

    @property
    def samples(self) -> int:
        return sum(self.stacks.values())


@dataclass(frozen=True)
class _Recording:
    pid: int
    output: Path
    proc: ManagedProcess


class ProfileSession:
    """py-spy recordings of an app server's workers (or the reason there are none)."""

    def __init__(self, *, pid: int, out_dir: Path, raw_dir: Path) -> None:
        self.pid = pid
        self.out_dir = out_dir
        self.raw_dir = raw_dir
        self.targets: list[int] = []
        self.recordings: list[_Recording] = []
        self.problem: str | None = None
        self.started = time.monotonic()

    def __enter__(self) -> ProfileSession:
        return self

    def __exit__(self, *exc: object) -> None:
        """Leaving early (an error, Ctrl-C) stops py-spy without reading its files."""
        self._kill()

    def pids(self) -> list[int]:
        """py-spy's own pids (still running)."""
        return [r.proc.pid for r in self.recordings if r.proc.alive()]

    def start(
        self, command: list[str], *, rate: int, max_seconds: float, cpus: Sequence[int] | None
    ) -> None:
        self.targets = sample_targets(self.pid)
        plan = [(self.targets[0], "flamegraph", self.out_dir / SVG_FILE)]
        plan += [
            (t, "speedscope", self.raw_dir / f"profile-{t}.speedscope.json") for t in self.targets
        ]
        for pid, fmt, output in plan:
            argv = pyspy_argv(
                command, pid=pid, fmt=fmt, output=output, rate=rate, max_seconds=max_seconds
            )
            try:
                proc = ManagedProcess(
                    f"py-spy {fmt} {pid}",
                    argv,
                    log_path=self.raw_dir / f"profile-pyspy-{fmt}-{pid}.log",
                    stop_signal=signal.SIGINT,  # py-spy writes its file on Ctrl-C, not SIGTERM
                )
            except OSError as exc:
                self.problem = f"py-spy could not be started: {exc}"
                self._kill()
                return
            self.recordings.append(_Recording(pid, output, proc))
        self._wait_attached()
        if cpus:
            for pid in self.pids():
                pin_threads(pid, cpus)
        self.started = time.monotonic()

    def _wait_attached(self) -> None:
        deadline = time.monotonic() + ATTACH_TIMEOUT
        waiting = list(self.recordings)
        while waiting and time.monotonic() < deadline:
            for rec in list(waiting):
                if _ATTACHED in rec.proc.log_tail(5):
                    waiting.remove(rec)
                elif not rec.proc.alive():
                    self.problem = problem_from_log(rec.proc.log_tail(), rec.pid)
                    self._kill()
                    return
            time.sleep(0.05)
        if waiting:
            self.problem = (
                f"py-spy did not attach to pid {waiting[0].pid} within {ATTACH_TIMEOUT:g} s"
            )
            self._kill()

    def _kill(self) -> None:
        for rec in self.recordings:
            rec.proc.stop(timeout=STOP_TIMEOUT)
        self.recordings = []

    def stop(self) -> ProfileResult:
        """Stop sampling (SIGINT makes py-spy write its files) and read what was written."""
        seconds = time.monotonic() - self.started
        for rec in self.recordings:
            rec.proc.stop(timeout=STOP_TIMEOUT)
            if rec.proc.popen.returncode != 0 and self.problem is None:
                self.problem = problem_from_log(rec.proc.log_tail(), rec.pid)
        recordings, self.recordings = self.recordings, []
        if self.problem is not None:
            return ProfileResult(problem=self.problem)
        return self._read(recordings, seconds)

    def _read(self, recordings: list[_Recording], seconds: float) -> ProfileResult:
        svg = self.out_dir / SVG_FILE
        parts = [r for r in recordings if r.output != svg]
        try:
            merged = merge_speedscope({r.pid: json.loads(r.output.read_text()) for r in parts})
            stacks = collapsed_from_speedscope(merged)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            return ProfileResult(problem=f"py-spy's speedscope files are unreadable: {exc}")
        if not svg.is_file():
            return ProfileResult(problem="py-spy wrote no flame graph")
        speedscope = self.out_dir / SPEEDSCOPE_FILE
        atomic_write(speedscope, json.dumps(merged))
        for part in parts:
            part.output.unlink()
        files = {
            "flamegraph": svg,
            "speedscope": speedscope,
            "collapsed": write_collapsed(self.raw_dir, stacks),
        }
        return ProfileResult(
            files=files,
            pids=tuple(self.targets),
            stacks=stacks,
            seconds=seconds,
            problem=None if stacks else "py-spy took no samples: no worker held the GIL",
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


def _ptrace_problem(pids: list[int]) -> str | None:
    for pid in pids:
        problem = ptrace_problem(pid)
        if problem is not None:
            return problem
    return None


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
    """Start sampling `pid`'s workers; returns once py-spy is attached or has failed.

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
    elif (problem := _ptrace_problem(sample_targets(pid))) is not None:
        session.problem = problem
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        raw_dir.mkdir(parents=True, exist_ok=True)
        session.start(command, rate=rate, max_seconds=max_seconds, cpus=cpus)
    return session
