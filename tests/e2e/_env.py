"""What the end-to-end tests share: an isolated stack environment, reading a child's lines."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from pathlib import Path

from infra.ports import free_port

REPO = Path(__file__).resolve().parents[2]
SERVE_SECRET_KEY = "serve-test-secret-key-that-is-long-enough-0123456789"


def isolated_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """os.environ plus ports nobody else uses and `settings` (make variables)."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NGINX_PORT": str(free_port()),
        "APP_PORT": str(free_port()),
        "PG_PORT": str(free_port()),
        "PG_DATA_DIR": str(tmp_path / "pgdata"),
        **settings,
    }


def make(
    target: str, env: dict[str, str] | None, *, timeout: float
) -> subprocess.CompletedProcess[str]:
    """`make -s <target>` in the repository, its output captured; never raises on failure."""
    return subprocess.run(
        ["make", "-s", target],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def serve_env(tmp_path: Path, app: str, **settings: str) -> dict[str, str]:
    """The environment of a small `make serve` of `app`."""
    return isolated_env(
        tmp_path, APP=app, SEED_USERS="3", APP_SECRET_KEY=SERVE_SECRET_KEY, **settings
    )


def read_lines(proc: subprocess.Popen[str], count: int, timeout: float) -> list[str]:
    """Up to `count` stdout lines, waiting at most `timeout` seconds in all."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for _ in range(count):
            line = proc.stdout.readline()
            if not line:
                return
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while len(got) < count and (left := deadline - time.monotonic()) > 0:
        try:
            got.append(lines.get(timeout=left))
        except queue.Empty:
            break
    return got
