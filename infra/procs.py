"""Owned child processes: started in their own session, stopped with TERM then KILL."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import psutil


class ProcessFailedError(RuntimeError):
    """A child exited or never became ready."""


_PR_SET_PDEATHSIG = 1


def _die_with_parent(sig: signal.Signals) -> Callable[[], None] | None:
    """A preexec hook asking Linux to signal the child when the harness dies, even by SIGKILL.

    Without it a harness killed hard (OOM killer, `kill -9`) would leave the database,
    Nginx and app servers running, since they live in sessions of their own.
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def hook() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), sig)

    return hook


def as_user(user: str | None) -> dict[str, Any]:
    """Popen arguments that drop to `user` with its own primary group and no extra groups.

    Setting only the uid would keep root's gid, and root-group-only directories would then
    be closed to the child even where "other" may enter.
    """
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class ManagedProcess:
    """A child process whose whole tree this harness owns and stops."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.stop_signal = stop_signal
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("ab")
        # A new session keeps Ctrl-C in the terminal from reaching children directly, so the
        # harness decides the shutdown order (app before database).
        try:
            self.popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_die_with_parent(stop_signal),
                **as_user(user),
            )
        except BaseException:
            self._log.close()  # a command that cannot start must not leak its log's handle
            raise

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tree(self) -> list[psutil.Process]:
        """The process and all its descendants that still exist."""
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        if not self.alive():
            raise ProcessFailedError(
                f"{self.name} exited with code {self.popen.returncode}; "
                f"last log lines ({self.log_path}):\n{self.log_tail()}"
            )

    def leftovers(self) -> list[psutil.Process]:
        """Processes of this child's session that outlived it (orphans of a crashed server)."""
        return session_members(self.pid)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the whole tree: the chosen signal first, then SIGKILL for what is left."""
        procs = list({p.pid: p for p in [*self.tree(), *self.leftovers()]}.values())
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        _, left = psutil.wait_procs([p for p in procs if _exists(p)], timeout=2)
        for proc in left:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        _wait_gone(left, timeout=5)
        if self.alive():
            self.popen.kill()
        self.popen.wait()
        self._log.close()


def stop_pid(pid: int, sig: signal.Signals, *, timeout: float) -> None:
    """Stop a process that is not this harness's child: `sig`, then SIGKILL after `timeout`."""
    try:
        proc = psutil.Process(pid)
        proc.send_signal(sig)
        proc.wait(timeout)
    except psutil.TimeoutExpired:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    except psutil.Error:
        return


def session_members(sid: int) -> list[psutil.Process]:
    """Live processes (not zombies) of session `sid` other than its leader.

    A child started in a session of its own keeps that session when its parent dies, so a
    server killed hard (SIGKILL) leaves its workers findable here. While any member lives,
    the kernel does not reuse the number `sid`, so a match is never a stranger.
    """
    members = []
    for proc in psutil.process_iter():
        try:
            if proc.pid != sid and os.getsid(proc.pid) == sid and _exists(proc):
                members.append(proc)
        except (OSError, psutil.Error):
            continue
    return members


def _wait_gone(procs: list[psutil.Process], *, timeout: float) -> None:
    """Until SIGKILLed processes are dead (zombies count as dead: not ours to collect)."""
    deadline = time.monotonic() + timeout
    while any(_exists(p) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.02)


def _exists(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    watch: ManagedProcess | None = None,
    interval: float = 0.1,
) -> None:
    """Poll `ready` until it returns True; fail early if the watched process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if watch is not None:
            watch.check_alive()
        if ready():
            return
        time.sleep(interval)
    tail = f"; last log lines:\n{watch.log_tail()}" if watch is not None else ""
    raise ProcessFailedError(f"{what} not ready after {timeout:.0f} s{tail}")


def tcp_open(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
