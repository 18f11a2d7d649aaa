"""`make bench` end to end with a tiny ramp on the real stack: both apps, then the comparison."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from infra.ports import free_port
from tests.e2e._env import REPO, isolated_env, make

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
RUN_FILES = (
    "meta.json",
    "summary.json",
    "summary.md",
    "steps.csv",
    "latency.png",
    "rps.png",
    "timeline.png",
    "invariants.json",
)


def _descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_make_bench_runs_interleaved_trials_and_aggregates_them(tmp_path: Path) -> None:
    """Two trials of both apps on the same ports, interleaved, in one session folder with an
    aggregate per app (medians, intervals) and the apps side by side."""
    results = tmp_path / "results"
    env = isolated_env(
        tmp_path,
        RESULTS_DIR=str(results),
        TRIALS="2",
        RAMP="2 4",
        STEP_SECONDS="8",
        SETTLE_SECONDS="2",
        SPAWN_RATE="4",
        THINK="0.05-0.1",
        SEED_USERS="8",
    )
    readme_before = (REPO / "README.md").read_text()
    before = _descendants()
    done = make("bench", env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _descendants() - before == set()
    assert (REPO / "README.md").read_text() == readme_before  # only `make report` edits it

    (session,) = results.iterdir()
    assert session.name.endswith("-bench") and not (session / "INCOMPLETE").exists()
    record = json.loads((session / "session.json").read_text())
    assert record["status"] == "complete"
    # Interleaved: each trial rotates the apps, so drift hits both alike.
    assert [(e["trial"], e["app"]) for e in record["order"]] == [
        (1, "django"),
        (1, "fastapi"),
        (2, "fastapi"),
        (2, "django"),
    ]
    runs = [session / "runs" / e["run"] for e in record["order"]]
    for run_dir, entry in zip(runs, record["order"], strict=True):
        _check_run(run_dir, entry["app"])
    for app in ("django", "fastapi"):
        aggregate = json.loads((session / app / "aggregate.json").read_text())
        assert [t["run"] for t in aggregate["trials"]] == [
            e["run"] for e in record["order"] if e["app"] == app
        ]
        best = aggregate["headline"]["max_rps_within_slo"]
        assert best["n"] == 2 and best["ci_low"] <= best["mean"] <= best["ci_high"]
    summary = (session / "summary.md").read_text()
    assert "| Django | 2 |" in summary and "| FastAPI | 2 |" in summary
    # The verdict sets FastAPI against Django ("x % higher than", or "the same as" when the
    # short ramp gives both the same medians).
    assert "95 % CI" in summary and "FastAPI's most req/s within the SLO is" in summary
    assert "Django's (medians" in summary
    assert (session / "comparison-headline.png").stat().st_size > 0


def _check_run(run_dir: Path, app: str) -> None:
    assert not (run_dir / "INCOMPLETE").exists()
    for name in RUN_FILES:
        assert (run_dir / name).stat().st_size > 0, name

    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["complete"] is True and meta["app"] == app
    assert meta["ramp"] == [2, 4] and meta["slo_ms"] == 100
    assert meta["command"].startswith("make bench ")
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

    # Sealed: samples gzipped, and the figures recompute from them identically.
    assert list((run_dir / "raw").glob("samples-*.csv.gz"))
    assert not list((run_dir / "raw").glob("samples-*.csv"))
    recheck = subprocess.run(
        ["make", "-s", "percentiles", f"RUN={run_dir}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert recheck.returncode == 0, recheck.stdout + recheck.stderr
    assert "figures equal summary.json" in recheck.stdout


def test_ctrl_c_mid_run_stops_everything_and_leaves_the_run_incomplete(tmp_path: Path) -> None:
    results = tmp_path / "results"
    env = isolated_env(
        tmp_path,
        RESULTS_DIR=str(results),
        RAMP="2",
        TRIALS="1",
        STEP_SECONDS="120",
        SETTLE_SECONDS="2",
        SEED_USERS="4",
    )
    with subprocess.Popen(
        [sys.executable, "-m", "scripts.bench", "fastapi"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        deadline = time.monotonic() + 120
        while not list(results.glob("*/runs/*/raw/samples-*.csv")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.5)
        family = psutil.Process(proc.pid).children(recursive=True)
        assert any("locust" in " ".join(p.cmdline()) for p in family)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=90)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted; everything started has been stopped" in err
    _, alive = psutil.wait_procs(family, timeout=10)
    assert alive == []
    (run_dir,) = results.glob("*/runs/*")
    assert (run_dir / "INCOMPLETE").exists() and (run_dir.parents[1] / "INCOMPLETE").exists()
    assert json.loads((run_dir / "meta.json").read_text())["complete"] is False
    assert not (run_dir / "summary.json").exists()


def test_bench_names_an_unreachable_database_url(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = isolated_env(
        tmp_path,
        RESULTS_DIR=str(tmp_path / "results"),
        DATABASE_URL=f"postgresql://u:secret@127.0.0.1:{port}/db",
    )
    result = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "fastapi"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "secret" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: DATABASE_URL=postgresql://u:***@127.0.0.1:{port}/db: cannot connect "
        "(connection refused)"
    )


def test_profile_samples_the_encore_and_reports_where_the_cpu_goes(tmp_path: Path) -> None:
    """PROFILE=1: an encore step after the ramp, sampled by py-spy; the ramp is untouched."""
    results = tmp_path / "results"
    env = isolated_env(
        tmp_path,
        RESULTS_DIR=str(results),
        PROFILE="1",
        PROFILE_RATE="50",
        TRIALS="1",
        RAMP="4",
        STEP_SECONDS="12",
        THINK="0.05-0.1",
        SEED_USERS="8",
    )
    done = make("bench-fastapi", env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (run_dir,) = results.glob("*/runs/*")
    summary = json.loads((run_dir / "summary.json").read_text())
    assert [s["users"] for s in summary["steps"]] == [4]  # the encore is not a ramp step
    profile = summary["profile"]
    assert profile["problem"] is None and profile["users"] == 4 and profile["samples"] > 0
    shares = {row["layer"]: row["share_pct"] for row in profile["layers"]}
    assert shares["framework"] > 0 and shares["orm"] > 0 and shares["driver"] > 0
    assert summary["encore"]["unprofiled"]["index"] == 0
    assert (run_dir / "profile.svg").read_text().lstrip().startswith("<?xml")
    assert json.loads((run_dir / "profile.speedscope.json").read_text())["profiles"]
    text = (run_dir / "summary.md").read_text()
    assert "## Where the app's CPU goes" in text and "Profiling cost, measured in this run" in text


def test_the_open_loop_reports_corrected_and_raw_latency_and_late_starts(tmp_path: Path) -> None:
    """ARRIVAL: both apps through a short schedule of target rates."""
    results = tmp_path / "results"
    env = isolated_env(
        tmp_path,
        RESULTS_DIR=str(results),
        ARRIVAL="10 30",
        TRIALS="1",
        STEP_SECONDS="10",
        SPAWN_RATE="20",
        SEED_USERS="20",
    )
    done = make("bench", env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (session,) = results.iterdir()
    for run_dir in sorted((session / "runs").iterdir()):
        summary = json.loads((run_dir / "summary.json").read_text())
        assert [s["rate"] for s in summary["steps"]] == [10.0, 30.0]
        for step in summary["steps"]:
            assert step["users"] == 15  # ARRIVAL_USERS=auto: one per 0.5 s of 30 req/s
            assert step["corrected_p95_ms"] >= step["p95_ms"] > 0
            assert 0 <= step["late"] <= step["requests"]
            # The schedule sets the pace: close to the target rate when the app keeps up.
            assert step["rps"] > 0.5 * step["rate"]
        text = (run_dir / "summary.md").read_text()
        assert "corrected p95 ms" in text and "late starts" in text
    assert "corrected p95 ms" in (session / "summary.md").read_text()
