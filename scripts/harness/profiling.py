"""py-spy on an app server's process tree: a flame graph, a speedscope profile, the stacks.

Two py-spy processes sample the same tree over the same window, one per output format:
py-spy writes one format per run, and drawing the SVG by hand would redo what its own
renderer (inferno) does. The layer table comes from the speedscope file, which keeps every
frame's full file name; its collapsed stacks (files as module paths) are kept in raw/.

py-spy runs with
- `--subprocesses` when the target has children (gunicorn's master and workers, uvicorn's
  supervisor and workers), not for a single process: py-spy then rescans /proc every
  100 ms for new children, which cost about 4 % of a core here, more than sampling at
  25 Hz;
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
Any process that py-spy cannot attach to (no ptrace permission, process gone, py-spy not
installed) gives a one-line `problem` instead of an exception.
"""

from __future__ import annotations

import gzip
import json
import math
import shutil
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from infra.procs import ManagedProcess
from scripts.harness.layers import collapsed_from_speedscope, collapsed_text
from scripts.harness.results import atomic_write

PROFILE_RATE = 25  # samples per second per process: PROFILE_RATE
FLAGS = ("--nonblocking", "--gil")
SVG_FILE = "profile.svg"
SPEEDSCOPE_FILE = "profile.speedscope.json"
COLLAPSED_FILE = "profile.collapsed.txt"
ATTACH_TIMEOUT = 15.0  # py-spy needs well under a second to find the interpreters
STOP_TIMEOUT = 60.0  # time to write its file after SIGINT
GZIP_ABOVE = 1 << 20  # collapsed stacks larger than this are kept gzip-compressed
NO_PTRACE = (
    "py-spy has no ptrace permission for pid {pid}: run as root, add CAP_SYS_PTRACE, "
    "or set kernel.yama.ptrace_scope=0"
)
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


def pyspy_command() -> list[str] | None:
    """py-spy from this environment's bin folder, else from PATH; None when not installed."""
    beside = Path(sys.executable).parent / "py-spy"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("py-spy")
    return [found] if found else None


def pyspy_flags(pid: int) -> tuple[str, ...]:
    """The sampling flags for `pid`: --subprocesses only when it has children to follow."""
    try:
        children = psutil.Process(pid).children()
    except psutil.Error:
        children = []
    return ("--subprocesses", *FLAGS) if children else FLAGS


def pyspy_argv(
    command: list[str],
    *,
    pid: int,
    fmt: str,
    output: Path,
    rate: int,
    max_seconds: float,
    flags: tuple[str, ...] = FLAGS,
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
        *flags,
    ]


def ptrace_problem(pid: int) -> str | None:
    """Why this process may not read `pid`'s memory as py-spy must, or None when it may.

    Opening /proc/<pid>/mem takes the kernel's ptrace-attach check (Yama's ptrace_scope
    included), as py-spy's reads do; py-spy itself, run with --subprocesses, reports a
    refused process only as "no python processes found".
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

    def start(self, command: list[str], *, rate: int, max_seconds: float) -> None:
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
    command: list[str] | None = None,
) -> ProfileSession:
    """Start sampling `pid` and its children; returns once py-spy is attached or has failed.

    Never raises for a profile that cannot be taken: the session's `problem` says why in
    one line, and `stop()` then returns a result without files.
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
        session.start(command, rate=rate, max_seconds=max_seconds)
    return session
