"""py-spy on real app servers (gunicorn, uvicorn) under load, and where it cannot attach."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from infra.appservers import APP_SPECS, APPS, REPO, app_env
from infra.database import recreate_database
from infra.ports import free_port
from infra.seed import SeedOptions
from infra.settings import Settings
from infra.stack import Stack, StackSettings
from scripts.harness.layers import layer_counts, parse_collapsed
from scripts.harness.profile_summary import profile_summary, write_profile_record
from scripts.harness.profiling import (
    COLLAPSED_FILE,
    SPEEDSCOPE_FILE,
    SVG_FILE,
    read_collapsed,
    start_profile,
)
from scripts.harness.results import RAW_DIR

SEED = SeedOptions(
    products=40, hidden_products=2, unpriced_products=2, users=5, hash_iterations=1000
)
LOAD_SECONDS = 6.0
LOAD_THREADS = 4
# What the apps are built from: the floor has no framework; the floor and fastapi-tuned have
# no ORM (django-tuned's SQL still goes through django.db's cursor wrapper, counted as ORM).
NO_FRAMEWORK = frozenset({"floor"})
NO_ORM = frozenset({"floor", "fastapi-tuned"})
NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


@pytest.fixture(params=APPS)
def stack(
    request: pytest.FixtureRequest, pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """One app (gunicorn sync workers for Django, uvicorn for FastAPI) behind Nginx."""
    name = request.param
    settings = StackSettings(
        app=name,
        nginx_port=free_port(),
        app_port=free_port(),
        run_dir=tmp_path_factory.mktemp(f"profile-{name}"),
        database_url=recreate_database(pg_admin_url, f"profile_{name}"),
        seed=SEED,
        app_env=app_env(
            Settings.from_env(
                {"PASSWORD_HASH_ITERATIONS": "1000", "APP_SECRET_KEY": secrets.token_urlsafe(48)}
            ),
            name,
        ),
    )
    with Stack(settings) as running:
        yield running


def drive_load(base_url: str, seconds: float) -> int:
    """Browse products from a few threads until `seconds` pass; returns the 200s answered."""
    deadline = time.monotonic() + seconds
    answered: list[int] = []

    def browse() -> None:
        ok = 0
        with httpx.Client(base_url=base_url, timeout=10) as client:
            while time.monotonic() < deadline:
                listed = client.get("/products", params={"limit": 20})
                ok += listed.status_code == 200
                for product in listed.json()[:3]:
                    ok += client.get(f"/products/{product['pk']}").status_code == 200
        answered.append(ok)

    threads = [threading.Thread(target=browse) for _ in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    return sum(answered)


def test_a_loaded_app_server_is_profiled_into_files_and_layers(
    stack: Stack, tmp_path: Path
) -> None:
    assert stack.app_proc is not None
    raw = tmp_path / RAW_DIR
    cpu = min(os.sched_getaffinity(0))
    session = start_profile(
        pid=stack.app_proc.pid, out_dir=tmp_path, raw_dir=raw, max_seconds=60, rate=100, cpus=[cpu]
    )
    assert session.problem is None
    workers = [c.pid for c in psutil.Process(stack.app_proc.pid).children(recursive=True)]
    gunicorn = APP_SPECS[stack.settings.app].server == "gunicorn"
    assert len(workers) == (3 if gunicorn else 0)
    spies = [psutil.Process(pid) for pid in session.pids()]
    assert len(spies) == 1 + max(1, len(workers))  # the flame graph's, one per worker
    for spy in spies:  # every py-spy thread stays on the cores it was given
        assert {frozenset(os.sched_getaffinity(t.id)) for t in spy.threads()} == {frozenset([cpu])}
    assert drive_load(stack.base_url, LOAD_SECONDS) > 50
    result = session.stop()

    assert result.problem is None, result.problem
    # gunicorn's workers are sampled, not their master; a one-worker uvicorn is one process.
    assert list(result.pids) == (sorted(workers) or [stack.app_proc.pid])
    assert not any(spy.is_running() for spy in spies)  # py-spy left nothing behind
    assert ET.parse(tmp_path / SVG_FILE).getroot().tag.endswith("svg")  # noqa: S314 - py-spy's
    speedscope = json.loads((tmp_path / SPEEDSCOPE_FILE).read_text())
    assert "speedscope" in speedscope["$schema"]
    assert {p["name"].split()[1] for p in speedscope["profiles"]} <= {str(p) for p in result.pids}
    assert not list(raw.glob("*.speedscope.json"))  # the per-worker files were merged
    assert sum(len(p["samples"]) for p in speedscope["profiles"]) == result.samples > 0
    assert result.files["collapsed"].parent == raw
    assert result.files["collapsed"].name.startswith(COLLAPSED_FILE)
    stacks = parse_collapsed(read_collapsed(result.files["collapsed"]))
    assert sum(count for _, count in stacks) == result.samples
    counts = layer_counts(stacks)
    name = stack.settings.app
    assert (counts["framework"] > 0) == (name not in NO_FRAMEWORK), counts
    assert (counts["orm"] > 0) == (name not in NO_ORM), counts
    assert counts["driver"] > 0, counts

    write_profile_record(tmp_path, result, step_index=0, users=4, rate=100)
    summary = profile_summary(tmp_path, [])
    assert summary is not None and summary["problem"] is None
    assert {row["layer"]: row["samples"] for row in summary["layers"]} == counts
    assert summary["files"]["flamegraph"] == SVG_FILE


def test_a_pid_that_does_not_exist_gives_a_one_line_reason(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    session = start_profile(pid=gone.pid, out_dir=tmp_path, raw_dir=tmp_path, max_seconds=5)
    result = session.stop()
    assert result.problem is not None and "\n" not in result.problem
    assert str(gone.pid) in result.problem
    assert result.files == {} and result.samples == 0


def test_a_missing_py_spy_gives_a_one_line_reason(tmp_path: Path) -> None:
    session = start_profile(
        pid=os.getpid(),
        out_dir=tmp_path,
        raw_dir=tmp_path,
        max_seconds=5,
        command=[str(tmp_path / "no-such-py-spy")],
    )
    result = session.stop()
    assert result.problem == "py-spy is not installed (it comes with the project's loadtest extra)"
    assert list(tmp_path.iterdir()) == []


# Profiles a root-owned process as an unprivileged user and prints what start_profile said.
_AS_NOBODY = """
import json, sys, tempfile
from pathlib import Path
from scripts.harness.profiling import start_profile
out = Path(tempfile.mkdtemp())
session = start_profile(pid=int(sys.argv[1]), out_dir=out, raw_dir=out, max_seconds=5)
result = session.stop()
print(json.dumps({"problem": result.problem, "left": session.pids()}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start a process as another user")
def test_no_ptrace_permission_is_a_one_line_reason(tmp_path: Path) -> None:
    target = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(0.05)"])
    try:
        out = subprocess.run(
            [*NOBODY, sys.executable, "-c", _AS_NOBODY, str(target.pid)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
            env={
                "PYTHONPATH": str(REPO),
                "PATH": os.environ.get("PATH", ""),
                "TMPDIR": tempfile.gettempdir(),
            },
        )
    finally:
        target.kill()
        target.wait()
    assert out.returncode == 0, out.stderr
    said = json.loads(out.stdout)
    assert said["problem"] == (
        f"py-spy has no ptrace permission for pid {target.pid}: run as root, "
        "add CAP_SYS_PTRACE, or set kernel.yama.ptrace_scope=0"
    )
    assert said["left"] == []


def test_leaving_the_block_early_leaves_no_py_spy(tmp_path: Path) -> None:
    target = subprocess.Popen([sys.executable, "-c", "while True: sum(range(1000))"])
    spies: list[psutil.Process] = []
    try:
        with (
            pytest.raises(RuntimeError, match="interrupted"),
            start_profile(
                pid=target.pid, out_dir=tmp_path, raw_dir=tmp_path, max_seconds=60
            ) as session,
        ):
            assert session.problem is None
            spies = [psutil.Process(pid) for pid in session.pids()]
            raise RuntimeError("interrupted")
    finally:
        target.kill()
        target.wait()
    assert len(spies) == 2
    assert not any(spy.is_running() for spy in spies)
    assert session.pids() == []
