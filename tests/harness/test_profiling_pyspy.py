"""The py-spy command line and its failures in one line."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from scripts.harness.pyspy import FLAGS, NO_PTRACE, problem_from_log, pyspy_argv, pyspy_flags

PERMISSION_LOG = "Permission Denied: Try running again with elevated permissions by going 'sudo'\n"
ERROR_LOG = """Error: Failed to get process executable name. Check that the process is running.

Caused by:
    0: No such file or directory (os error 2)
"""


def test_a_permission_failure_names_the_fix() -> None:
    assert problem_from_log(PERMISSION_LOG, 42) == NO_PTRACE.format(pid=42)
    assert "ptrace_scope" in NO_PTRACE


def test_other_failures_keep_py_spy_s_first_error_line() -> None:
    assert problem_from_log(ERROR_LOG, 42) == (
        "py-spy could not profile pid 42: Failed to get process executable name. "
        "Check that the process is running."
    )
    assert problem_from_log("\n  \n", 42) == "py-spy could not profile pid 42: no output"
    assert problem_from_log("something odd\nlast words\n", 42).endswith(": last words")


def test_the_recording_is_bounded_and_carries_the_flags() -> None:
    argv = pyspy_argv(
        ["py-spy"], pid=7, fmt="speedscope", output=Path("p.json"), rate=25, max_seconds=44.2
    )
    assert argv == [
        "py-spy", "record", "--pid", "7", "--format", "speedscope", "--output", "p.json",
        "--rate", "25", "--duration", "45", *FLAGS,
    ]  # fmt: skip


@pytest.fixture
def parent_with_child() -> Iterator[psutil.Process]:
    """A Python process that has started one child (like a gunicorn master)."""
    code = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    parent = psutil.Process(proc.pid)
    try:
        deadline = time.monotonic() + 30
        while not parent.children() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield parent
    finally:
        for child in parent.children():
            child.kill()
        proc.kill()
        proc.wait()


def test_children_are_followed_only_when_there_are_some(parent_with_child: psutil.Process) -> None:
    (child,) = parent_with_child.children()
    assert pyspy_flags(parent_with_child.pid) == ("--subprocesses", *FLAGS)
    assert pyspy_flags(child.pid) == FLAGS
