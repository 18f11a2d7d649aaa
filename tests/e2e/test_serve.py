"""`scripts.serve` (what `make serve` runs), from outside: two lines, a stack, a clean stop."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from infra.appservers import APP_SPECS, APPS
from infra.ports import free_port
from tests.e2e._env import REPO, read_lines, serve_env


@pytest.mark.parametrize("app", APPS)
def test_serve_prints_two_lines_serves_and_stops_clean(app: str, tmp_path: Path) -> None:
    env = serve_env(tmp_path, app)
    with subprocess.Popen(
        [sys.executable, "-m", "scripts.serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        _check_serve(proc, app, env)


def _check_serve(proc: subprocess.Popen[str], app: str, env: dict[str, str]) -> None:
    try:
        lines = read_lines(proc, 2, timeout=120)
        if len(lines) < 2:
            proc.kill()
            pytest.fail(f"serve printed {lines!r}; stderr: {proc.communicate()[1][-2000:]}")
        assert [line.split("=", 1)[0] for line in lines] == ["BASE_URL", "DATABASE_URL"], lines
        base_url = lines[0].split("=", 1)[1]
        database_url = lines[1].split("=", 1)[1]
        assert base_url == f"http://127.0.0.1:{env['NGINX_PORT']}"

        resp = httpx.get(f"{base_url}/products", timeout=10)
        assert resp.status_code == 200 and len(resp.json()) == 20
        framework = APP_SPECS[app].framework
        assert httpx.get(f"{base_url}/health").json() == {"status": "ok", "framework": framework}
        with psycopg.connect(database_url) as conn:
            row = conn.execute("SELECT count(*) FROM tb_auth_user").fetchone()
        assert row == (3,)

        family = psutil.Process(proc.pid).children(recursive=True)
        assert len(family) >= 4  # postgres, app server (+ workers), nginx (+ worker)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        _, alive = psutil.wait_procs(family, timeout=5)
        assert alive == [], [p.pid for p in alive]
        assert proc.stdout is not None
        assert proc.stdout.read() == ""  # nothing beyond the two lines on stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _run_serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run serve to completion (it should fail fast here)."""
    return subprocess.run(
        [sys.executable, "-m", "scripts.serve"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_names_the_taken_port(tmp_path: Path) -> None:
    env = serve_env(tmp_path, "fastapi")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(env["NGINX_PORT"])))
        taken.listen()
        result = _run_serve(env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"error: port {env['NGINX_PORT']} on 127.0.0.1 (nginx, NGINX_PORT) is already in use"
    )


def test_serve_rejects_unknown_app(tmp_path: Path) -> None:
    env = serve_env(tmp_path, "flask")
    result = _run_serve(env)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: APP='flask' must be one of: {', '.join(APPS)}"


def test_a_killed_serve_leaves_nothing_behind(tmp_path: Path) -> None:
    """Even SIGKILL, which no handler sees, takes the database, Nginx and app down with it."""
    env = serve_env(tmp_path, "fastapi")
    with subprocess.Popen(
        [sys.executable, "-m", "scripts.serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        assert len(read_lines(proc, 2, timeout=120)) == 2
        family = psutil.Process(proc.pid).children(recursive=True)
        assert family
        proc.kill()
        proc.wait(timeout=10)
        _, alive = psutil.wait_procs(family, timeout=15)
        assert alive == [], [p.cmdline() for p in alive]


def test_serve_names_an_unreachable_database_url(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = serve_env(tmp_path, "fastapi", DATABASE_URL=f"postgresql://u:secret@127.0.0.1:{port}/db")
    result = _run_serve(env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "secret" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: DATABASE_URL=postgresql://u:***@127.0.0.1:{port}/db: cannot connect "
        "(connection refused)"
    )
