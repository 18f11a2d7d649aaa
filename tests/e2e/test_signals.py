"""Started as background jobs of a script (SIGINT ignored), the CLIs still stop on `kill -INT`."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.e2e._env import REPO, read_lines, serve_env

CTRL_C = "interrupted; everything started has been stopped"


def _background(command: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`command` as a background job of a non-interactive shell, which ignores SIGINT in it."""
    return subprocess.Popen(
        ["bash", "-c", f"{command} & wait $!"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _descendant(shell: subprocess.Popen[str], needle: str) -> psutil.Process:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for proc in psutil.Process(shell.pid).children(recursive=True):
            if needle in " ".join(proc.cmdline()):
                return proc
        time.sleep(0.1)
    raise AssertionError(f"no process running {needle!r}")


def _stop(shell: subprocess.Popen[str], target: psutil.Process) -> None:
    """Clean up after a failed test: SIGTERM was always honoured."""
    if shell.poll() is None:
        target.terminate()
        shell.wait(timeout=60)


def test_a_cli_started_with_sigint_ignored_stops_on_it_as_on_ctrl_c() -> None:
    program = (
        "from scripts.cli import run; import time; "
        "run(lambda: print('ready', flush=True) or time.sleep(60) or 0)"
    )
    with _background(f'{sys.executable} -c "{program}"') as shell:
        target = _descendant(shell, "scripts.cli")
        try:
            assert read_lines(shell, 1, timeout=30) == ["ready"]
            target.send_signal(signal.SIGINT)
            _, err = shell.communicate(timeout=30)
        finally:
            _stop(shell, target)
    assert shell.returncode == 130, err
    assert err.strip() == CTRL_C


def test_make_serve_in_the_background_stops_on_sigint(tmp_path: Path) -> None:
    with _background("make -s serve", env=serve_env(tmp_path, "fastapi")) as shell:
        harness = _descendant(shell, "scripts.serve")
        try:
            assert len(read_lines(shell, 2, timeout=120)) == 2
            family = psutil.Process(shell.pid).children(recursive=True)
            assert len(family) >= 5  # make, the harness, postgres, app server, nginx
            harness.send_signal(signal.SIGINT)
            _, err = shell.communicate(timeout=90)
        finally:
            _stop(shell, harness)
    last = err.strip().splitlines()[-2:]
    assert last[0] == CTRL_C, err
    assert re.fullmatch(
        r"make(\[[0-9]+\])?: \*\*\* \[Makefile:[0-9]+: serve\] Error 130", last[1]
    ), err
    assert shell.returncode == 2  # make's own status when its recipe fails
    _, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
