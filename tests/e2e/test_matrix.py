"""`make matrix` end to end with a tiny ramp: one complete run per app, the floor first, and
the generated table with every app's share of the floor."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from infra.appservers import APPS, matrix_default
from tests.e2e._env import REPO, isolated_env, make


def test_make_apps_lists_every_app_and_each_has_its_bench_and_ui_target() -> None:
    listed = subprocess.run(
        ["make", "-s", "apps"], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert listed.stdout.split() == list(APPS)
    for app in APPS:
        for target, flag in ((f"bench-{app}", ""), (f"ui-{app}", " --ui")):
            dry = subprocess.run(
                ["make", "-n", target],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            )
            assert f"-m scripts.bench {app}{flag}" in dry.stdout


def test_make_matrix_runs_every_app_and_sets_each_against_the_floor(tmp_path: Path) -> None:
    results = tmp_path / "results"
    env = isolated_env(
        tmp_path,
        RESULTS_DIR=str(results),
        TRIALS="1",
        RAMP="2",
        STEP_SECONDS="8",
        SETTLE_SECONDS="2",
        THINK="0.05-0.1",
        SEED_USERS="8",
    )
    done = make("matrix", env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    (session,) = results.iterdir()
    assert session.name.endswith("-matrix")
    record = json.loads((session / "session.json").read_text())
    assert record["kind"] == "matrix" and record["status"] == "complete"
    assert [e["app"] for e in record["order"]] == list(matrix_default())
    for entry in record["order"]:
        meta = json.loads((session / "runs" / entry["run"] / "meta.json").read_text())
        assert meta["complete"] is True and meta["app"] == entry["app"]
    text = (session / "summary.md").read_text()
    assert "### Every app against the floor" in text
    assert "| app | trials | most req/s within SLO (95 % CI) |" in text
    assert "share of the floor (95 % CI)" in text
    assert "| Floor (no framework) | 1 |" in text and "| 100 % |" in text
