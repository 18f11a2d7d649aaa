"""`make bench-fastapi` and `make bench-django` end to end, with a tiny ramp on the real stack."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import psutil
import pytest

from infra.ports import free_port

REPO = Path(__file__).resolve().parents[2]

STEP_KEYS = {
    "users",
    "seconds",
    "requests",
    "rps",
    "avg_ms",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "failures",
    "fail_ratio",
    "app_cpu_pct",
    "app_rss_mb",
    "db_cpu_pct",
    "loadgen_cpu_pct",
    "valid",
    "endpoints",
}
ROUTES = {"/products", "/products/{pk}", "/orders", "/orders/{pk}"}


def _descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.mark.parametrize("app", ["fastapi", "django"])
def test_make_bench_writes_a_complete_run(app: str, tmp_path: Path) -> None:
    results = tmp_path / "results"
    env = {
        **os.environ,
        "RESULTS_DIR": str(results),
        "RAMP": "2 4",
        "STEP_SECONDS": "8",
        "SETTLE_SECONDS": "2",
        "SPAWN_RATE": "4",
        "THINK": "0.05-0.1",
        "SEED_USERS": "8",
        "SEED_HASH_ITERATIONS": "1000",
        "NGINX_PORT": str(free_port()),
        "APP_PORT": str(free_port()),
        "PG_PORT": str(free_port()),
        "PG_DATA_DIR": str(tmp_path / "pgdata"),
    }
    before = _descendants()
    done = subprocess.run(
        ["make", "-s", f"bench-{app}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert _descendants() - before == set()

    (run_dir,) = results.iterdir()
    assert run_dir.name.endswith(f"-{app}")
    assert not (run_dir / "INCOMPLETE").exists()
    for name in (
        "meta.json",
        "summary.json",
        "summary.md",
        "steps.csv",
        "locust.html",
        "latency.png",
        "rps.png",
        "timeline.png",
    ):
        assert (run_dir / name).stat().st_size > 0, name

    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["complete"] is True and meta["app"] == app
    assert meta["ramp"] == [2, 4] and meta["slo_ms"] == 100
    assert meta["stack"]["envelope"]["applied"]["method"] in {
        "cgroup-v2",
        "cgroup-v1",
        "taskset",
        "none",
    }
    assert meta["git"]["sha"]

    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["app"] == app and summary["complete"] is True
    assert [s["users"] for s in summary["steps"]] == [2, 4]
    for step in summary["steps"]:
        assert set(step) >= STEP_KEYS
        assert step["requests"] > 0 and step["failures"] == 0
        assert set(step["endpoints"]) == ROUTES
        assert step["p50_ms"] <= step["p95_ms"] <= step["p99_ms"] <= step["max_ms"]
    assert summary["invariants"]["ok"] is True
    assert set(summary["knee"]) >= {"avg_users", "p95_users"}
