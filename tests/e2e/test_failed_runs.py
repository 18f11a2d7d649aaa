"""Runs that check themselves: a dead target fails in seconds, a target that only answers
errors produces a FAILED run; both exit non-zero and leave nothing `make report` would use."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from infra.ports import free_port
from tests.e2e._env import isolated_env, make


class _ErrorsOnly(BaseHTTPRequestHandler):
    """/health and /auth/login work; `healthy_login=False` makes every answer a 500."""

    healthy_login = True

    def do_GET(self) -> None:
        if self.path == "/health" and self.healthy_login:
            self._send(200, {"status": "ok", "framework": "stub"})
        else:
            self._send(500, {"error": {"code": "boom", "message": "always"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if self.path == "/auth/login" and self.healthy_login:
            self._send(200, {"token": "t", "user": {"pk": 1, "email": "bench-1@example.com"}})
        else:
            self._send(500, {"error": {"code": "boom", "message": "always"}})

    def _send(self, status: int, body: object) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def stub_target(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_ErrorsOnly,), {"healthy_login": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _bench(tmp_path: Path, target: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = isolated_env(
        tmp_path,
        RESULTS_DIR=str(tmp_path / "results"),
        TARGET_URL=target,
        TRIALS="1",
        RAMP="2",
        STEP_SECONDS="8",
        SETTLE_SECONDS="2",
        THINK="0.05",
    )
    return make("bench-fastapi", env, timeout=timeout)


def _run_folders(results: Path) -> list[Path]:
    return sorted(results.glob("*/runs/*")) if results.exists() else []


def test_nothing_listening_fails_in_seconds_with_one_line(tmp_path: Path) -> None:
    done = _bench(tmp_path, "http://127.0.0.1:1", timeout=60)

    assert done.returncode != 0
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("error:")]
    assert "TARGET_URL=http://127.0.0.1:1" in line and "did not answer" in line
    assert "Traceback" not in done.stderr
    assert _run_folders(tmp_path / "results") == []


@pytest.mark.parametrize("stub_target", [False], indirect=True)
def test_a_target_answering_500_to_everything_fails_before_any_load(
    tmp_path: Path, stub_target: str
) -> None:
    done = _bench(tmp_path, stub_target, timeout=60)

    assert done.returncode != 0
    assert "GET /health answered 500" in done.stderr and "Traceback" not in done.stderr
    assert _run_folders(tmp_path / "results") == []


@pytest.mark.parametrize("stub_target", [True], indirect=True)
def test_a_run_of_nothing_but_errors_is_sealed_as_failed(tmp_path: Path, stub_target: str) -> None:
    done = _bench(tmp_path, stub_target, timeout=180)

    assert done.returncode != 0, done.stderr[-2000:]
    assert "the run failed: no request succeeded in any step" in done.stderr
    (run_dir,) = _run_folders(tmp_path / "results")
    assert (run_dir / "FAILED").exists() and not (run_dir / "INCOMPLETE").exists()
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["complete"] is False and meta["status"] == "failed"
    assert "FAILED RUN" in (run_dir / "summary.md").read_text()
    session = json.loads((run_dir.parents[1] / "session.json").read_text())
    assert session["status"] == "failed"
    assert (run_dir.parents[1] / "FAILED").exists()
