"""`make serve` through a restart of its embedded PostgreSQL: 503s, then 200s, still up."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e._env import REPO, read_lines, serve_env

RECOVERY_SECONDS = 90.0


def _postgres_child(harness: psutil.Process) -> psutil.Process:
    (postgres,) = [p for p in harness.children() if p.name() == "postgres"]
    return postgres


def _wait_exited(proc: psutil.Process, timeout: float) -> None:
    """Until `proc` is dead or a zombie (its parent, stopped, cannot collect it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.1)
    pytest.fail(f"{proc.pid} still running after {timeout} s")


def _recovered(url: str) -> list[int]:
    """Statuses of /products until six in a row are 200 (or the time is up)."""
    statuses: list[int] = []
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        statuses = [httpx.get(url, timeout=15).status_code for _ in range(6)]
        if statuses == [200] * 6:
            break
        time.sleep(0.5)
    return statuses


@pytest.mark.parametrize("app", ["django", "fastapi"])
def test_serve_keeps_serving_through_a_database_restart(app: str, tmp_path: Path) -> None:
    err_path = tmp_path / "serve.err"
    with (
        err_path.open("w") as err,
        subprocess.Popen(
            [sys.executable, "-m", "scripts.serve"],
            cwd=REPO,
            env=serve_env(tmp_path, app),
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        ) as proc,
    ):
        try:
            lines = read_lines(proc, 2, timeout=120)
            assert len(lines) == 2, err_path.read_text()[-2000:]
            products = lines[0].split("=", 1)[1] + "/products"
            assert httpx.get(products, timeout=10).status_code == 200  # warm connections
            harness = psutil.Process(proc.pid)
            postgres = _postgres_child(harness)
            # The harness is held still while the database is down, so the outage lasts
            # until the test has seen it through Nginx.
            proc.send_signal(signal.SIGSTOP)
            try:
                postgres.send_signal(signal.SIGINT)  # fast shutdown: exit code 0, as reported
                _wait_exited(postgres, timeout=60)
                during = httpx.get(products, timeout=30)
            finally:
                proc.send_signal(signal.SIGCONT)
            assert during.status_code == 503, during.text
            assert during.json()["error"]["code"] == "unavailable"

            assert _recovered(products) == [200] * 6
            assert proc.poll() is None, err_path.read_text()[-2000:]
            restarted = _postgres_child(harness)
            assert restarted.pid != postgres.pid
            log = err_path.read_text()
            assert (
                f"database: PostgreSQL (pid {postgres.pid}) exited with code 0; restarting it"
                in log
            )
            assert log.rstrip().endswith("database: back; the apps reconnect by themselves")

            family = harness.children(recursive=True)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=60) == 130
            _, alive = psutil.wait_procs(family, timeout=10)
            assert alive == [], [p.cmdline() for p in alive]
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.kill()
                proc.wait()
