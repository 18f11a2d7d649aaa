"""The py-spy command line and its failures in one line."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from scripts.harness.pyspy import (
    FLAGS,
    NO_PTRACE,
    merge_speedscope,
    problem_from_log,
    pyspy_argv,
    sample_targets,
)

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


def test_the_workers_are_sampled_not_their_master(parent_with_child: psutil.Process) -> None:
    (child,) = parent_with_child.children()
    assert sample_targets(parent_with_child.pid) == [child.pid]
    assert sample_targets(child.pid) == [child.pid]  # a lone process is sampled itself


def test_speedscope_documents_merge_with_frames_renumbered_and_threads_named() -> None:
    def doc(frame: str, samples: list[list[int]]) -> dict[str, object]:
        frames = [{"name": "main", "file": "m.py", "line": 1}, {"name": frame, "file": "f.py"}]
        profile = {"type": "sampled", "name": 'Thread 9 "MainThread"', "samples": samples}
        return {"$schema": "s", "shared": {"frames": frames}, "profiles": [profile]}

    merged = merge_speedscope({11: doc("a", [[0, 1], [0]]), 12: doc("b", [[0, 1]])})
    assert merged["$schema"] == "s"
    names = [f["name"] for f in merged["shared"]["frames"]]
    assert names == ["main", "a", "main", "b"]
    assert [(p["name"], p["samples"]) for p in merged["profiles"]] == [
        ('Process 11 Thread 9 "MainThread"', [[0, 1], [0]]),
        ('Process 12 Thread 9 "MainThread"', [[2, 3]]),
    ]
