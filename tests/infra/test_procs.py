"""Owned processes: whatever a child started is stopped with it, even after the child died."""

from __future__ import annotations

import time
from pathlib import Path

import psutil

from infra.procs import ManagedProcess, session_members


def test_stop_reaps_what_a_dead_child_left_in_its_session(tmp_path: Path) -> None:
    # The shell starts a sleeper and exits at once, as a server killed hard leaves workers.
    proc = ManagedProcess(
        "shell", ["sh", "-c", "sleep 300 & echo $!"], log_path=tmp_path / "shell.log"
    )
    proc.popen.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not (text := proc.log_path.read_text()).strip() and time.monotonic() < deadline:
        time.sleep(0.05)
    orphan = psutil.Process(int(text))
    assert orphan.is_running()
    assert [p.pid for p in session_members(proc.pid)] == [orphan.pid]
    proc.stop()
    # Killed; a zombie until whoever adopted it (pid 1, a subreaper) collects it.
    assert not orphan.is_running() or orphan.status() == psutil.STATUS_ZOMBIE
    assert session_members(proc.pid) == []
