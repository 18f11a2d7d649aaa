"""`make ui-<app>` end to end: the web UI driven over HTTP as its form does, then the run folder.

UI sessions write under the checkout's .run/ui (not RESULTS_DIR); each test removes the
folder it made.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from infra.ports import free_port
from tests.e2e._env import REPO, isolated_env

UI_DIR = REPO / ".run" / "ui"


class Session:
    """`python -m scripts.bench <app> --ui` running, with its stderr in a file."""

    def __init__(self, tmp_path: Path, **settings: str) -> None:
        self.ui_port = free_port()
        self.err_path = tmp_path / "ui.err"
        env = isolated_env(
            tmp_path,
            UI_PORT=str(self.ui_port),
            SEED_USERS="8",
            RAMP="2 3",
            THINK="0.05-0.1",
            STEP_SECONDS="6",
            SETTLE_SECONDS="1",
            SPAWN_RATE="4",
            **settings,
        )
        with self.err_path.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "scripts.bench", "fastapi", "--ui"],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
                text=True,
            )
        self.url = f"http://127.0.0.1:{self.ui_port}"

    @property
    def err(self) -> str:
        return self.err_path.read_text()

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := re.search(pattern, self.err):
                return found
            assert self.proc.poll() is None, self.err[-3000:]
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in:\n{self.err[-3000:]}")

    def run_dir(self) -> Path:
        return Path(self.wait_for(r"results go to (\S+)").group(1))

    def swarm(self, **form: str) -> None:
        resp = httpx.post(f"{self.url}/swarm", data=form, timeout=10)
        assert resp.json()["success"] is True, resp.text

    def users_reach(self, users: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            stats = httpx.get(f"{self.url}/stats/requests", timeout=10).json()
            if stats["user_count"] == users and stats["state"] == "running":
                return
            time.sleep(0.2)
        raise AssertionError(f"Locust never ran {users} users")


@pytest.fixture
def made() -> Iterator[list[Session | Path]]:
    """Sessions a test started (stopped if still running) and the folders they made."""
    made: list[Session | Path] = []
    yield made
    for item in made:
        if isinstance(item, Session) and item.proc.poll() is None:
            item.proc.terminate()
            item.proc.wait(timeout=90)
        elif isinstance(item, Path):
            shutil.rmtree(item, ignore_errors=True)


def _finished(session: Session) -> str:
    family = psutil.Process(session.proc.pid).children(recursive=True)
    try:
        code = session.proc.wait(timeout=120)
    finally:
        if session.proc.poll() is None:
            session.proc.terminate()
            session.proc.wait(timeout=60)
    assert code == 0, session.err[-3000:]
    _, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
    return session.err


def _summary(run_dir: Path) -> dict[str, object]:
    assert not (run_dir / "INCOMPLETE").exists()
    for name in ("summary.md", "steps.csv", "latency.png", "rps.png", "timeline.png"):
        assert (run_dir / name).stat().st_size > 0, name
    summary: dict[str, object] = json.loads((run_dir / "summary.json").read_text())
    return summary


def test_manual_user_counts_from_the_form_become_the_steps_of_a_run(
    tmp_path: Path, made: list[Session | Path]
) -> None:
    made.append(session := Session(tmp_path))
    made.append(run_dir := session.run_dir())
    session.wait_for(rf"Locust web UI at {re.escape(session.url)}\n")  # once it answers
    page = httpx.get(session.url, timeout=10).text
    assert '"show_userclass_picker": true' in page
    assert '"available_shape_classes": ["Default", "SteppedRamp"]' in page
    # Not the RAMP: the users typed in the form, then changed while the test runs.
    session.swarm(user_count="4", spawn_rate="4", shape_class="Default")
    session.users_reach(4)
    time.sleep(4)
    session.swarm(user_count="6", spawn_rate="6", shape_class="Default")
    session.users_reach(6)
    time.sleep(4)
    httpx.post(f"{session.url}/stop", timeout=10)

    err = _finished(session)
    assert f"fastapi: web UI run complete -> {run_dir / 'summary.md'}" in err
    summary = _summary(run_dir)
    steps = summary["steps"]
    assert isinstance(steps, list)
    assert [s["users"] for s in steps] == [4, 6]
    assert all(s["requests"] > 0 and s["failures"] == 0 for s in steps)
    assert summary["complete"] is True
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["complete"] is True and meta["ui"] == {"shape": "manual", "spawn_rates": [4, 6]}
    assert "Web UI run with user counts set by hand: 4 users for " in (
        (run_dir / "summary.md").read_text()
    )


def test_the_stepped_ramp_ended_by_ctrl_c_becomes_a_run(
    tmp_path: Path, made: list[Session | Path]
) -> None:
    made.append(session := Session(tmp_path))
    made.append(run_dir := session.run_dir())
    session.wait_for("Locust web UI at ")
    session.swarm(user_count="1", spawn_rate="1", shape_class="SteppedRamp")
    journal = run_dir / "raw" / "steps.jsonl"
    deadline = time.monotonic() + 60
    while not (journal.exists() and journal.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.2)  # until the first step has ended
    session.users_reach(3)
    session.proc.send_signal(signal.SIGINT)

    err = _finished(session)
    assert "fastapi: Ctrl-C: ending the web UI run" in err
    summary = _summary(run_dir)
    steps = summary["steps"]
    assert isinstance(steps, list)
    assert [s["users"] for s in steps] == [2, 3]
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["ui"] == {"shape": "SteppedRamp"} and meta["ramp"] == [2, 3]


def test_a_taken_ui_port_is_one_line_naming_it_before_anything_starts(tmp_path: Path) -> None:
    before = set(UI_DIR.iterdir()) if UI_DIR.is_dir() else set()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "scripts.bench", "fastapi", "--ui"],
            cwd=REPO,
            env=isolated_env(tmp_path, UI_PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.strip().startswith(
        f"error: port {port} on 127.0.0.1 (Locust web UI, UI_PORT) is already in use by pid "
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert (set(UI_DIR.iterdir()) if UI_DIR.is_dir() else set()) == before
