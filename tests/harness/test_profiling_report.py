"""A run's profile in summary.json and summary.md, from the record the runner leaves in raw/."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from scripts.harness.build import analyze_run, build_single_run_report
from scripts.harness.errors import HarnessError
from scripts.harness.layers import ProfileSummary, layer_rows
from scripts.harness.profile_markdown import layers_side_by_side
from scripts.harness.profile_summary import PROFILE_RECORD, write_profile_record
from scripts.harness.profiling import ProfileResult, write_collapsed
from scripts.harness.results import RAW_DIR
from scripts.harness.summary import load_summary
from tests.harness._factory import two_step_run

SITE = "/venv/lib/python3.11/site-packages"
STACKS = Counter(
    {
        f"w;Session.execute ({SITE}/sqlalchemy/orm/session.py:2373)": 3,
        f"w;Session.execute ({SITE}/sqlalchemy/orm/session.py:2373);"
        f"Connection.fetch ({SITE}/asyncpg/connection.py:690)": 1,
    }
)


def profiled_run(results_dir: Path, result: ProfileResult) -> Path:
    """The synthetic two-step run with its 20-user step (index 1) profiled."""
    run_dir = two_step_run(results_dir, app="fastapi")
    write_profile_record(run_dir, result, step_index=1, users=20, rate=25)
    return run_dir


def test_the_profiled_step_gets_a_layer_table(tmp_path: Path) -> None:
    raw = tmp_path / "results"
    run_dir = two_step_run(raw, app="fastapi")
    files = {
        "flamegraph": run_dir / "profile.svg",
        "speedscope": run_dir / "profile.speedscope.json",
        "collapsed": write_collapsed(run_dir / RAW_DIR, STACKS),
    }
    result = ProfileResult(files=files, pids=(41, 42, 43), stacks=STACKS, seconds=23.5)
    write_profile_record(run_dir, result, step_index=1, users=20, rate=25)
    build_single_run_report(run_dir)

    summary = load_summary(run_dir / "summary.json")
    profile = summary["profile"]
    # The 20-user step: 48 requests in 24 s at 80 % app CPU, so 400 ms of CPU a request.
    assert (profile["users"], profile["requests"], profile["app_cpu_seconds"]) == (20, 48, 19.2)
    assert profile["samples"] == 4 and profile["rate_hz"] == 25 and profile["problem"] is None
    assert profile["method"].endswith(" --nonblocking --gil") and profile["processes"] == 3
    assert profile["files"] == {
        "flamegraph": "profile.svg",
        "speedscope": "profile.speedscope.json",
        "collapsed": "raw/profile.collapsed.txt",
    }
    rows = {row["layer"]: row for row in profile["layers"]}
    assert (rows["orm"]["samples"], rows["orm"]["share_pct"]) == (3, 75.0)
    assert rows["orm"]["cpu_ms_per_request"] == 300.0
    assert rows["driver"]["cpu_ms_per_request"] == 100.0
    assert rows["framework"]["cpu_ms_per_request"] == 0.0

    text = (run_dir / "summary.md").read_text()
    assert "## Where the app's CPU goes" in text
    assert "sampled the app's 3 worker processes 25 times a second for 24 s of the 20-user " in text
    assert "step: 4 samples" in text
    assert "| ORM | 3 | 75.0 % | 300.00 |" in text
    assert "| driver | 1 | 25.0 % | 100.00 |" in text
    assert "| total | 4 | 100 % | 400.00 |" in text
    assert "flame graph of one worker [profile.svg](profile.svg)" in text


def test_a_profile_that_could_not_be_taken_says_why_in_one_line(tmp_path: Path) -> None:
    problem = "py-spy has no ptrace permission for pid 7: run as root"
    run_dir = profiled_run(tmp_path, ProfileResult(problem=problem))
    build_single_run_report(run_dir)
    profile = load_summary(run_dir / "summary.json")["profile"]
    assert profile["problem"] == problem and profile["layers"] == []
    text = (run_dir / "summary.md").read_text()
    assert f"## Where the app's CPU goes\n\nNo profile: {problem}.\n" in text


def test_a_run_without_a_profile_has_no_profile_key_and_still_loads(tmp_path: Path) -> None:
    run_dir = two_step_run(tmp_path)
    build_single_run_report(run_dir)
    raw = json.loads((run_dir / "summary.json").read_text())
    assert "profile" not in raw
    assert "profile" not in load_summary(run_dir / "summary.json")
    assert "Where the app's CPU goes" not in (run_dir / "summary.md").read_text()


def test_a_record_whose_stacks_are_missing_is_refused(tmp_path: Path) -> None:
    files = {"collapsed": tmp_path / "results" / "gone.txt"}
    run_dir = profiled_run(tmp_path / "results", ProfileResult(files=files, stacks=STACKS))
    with pytest.raises(HarnessError, match=rf"{PROFILE_RECORD}: cannot read .*gone\.txt"):
        analyze_run(run_dir)


def _profile(counts: dict[str, int], *, requests: int | None) -> ProfileSummary:
    return {
        "users": 60,
        "seconds": 40.0,
        "rate_hz": 25,
        "method": "py-spy --nonblocking --gil",
        "processes": 1,
        "samples": sum(counts.values()),
        "requests": requests,
        "app_cpu_seconds": 2.0,
        "files": {},
        "layers": layer_rows(counts, requests=requests, app_cpu_seconds=2.0),
        "problem": None,
    }


def test_apps_side_by_side_show_ms_per_request_and_share() -> None:
    fastapi = _profile({"orm": 50, "framework": 30, "driver": 20}, requests=400)  # 5 ms a request
    floor = _profile({"driver": 1, "app": 3}, requests=None)
    failed: ProfileSummary = {**floor, "layers": [], "problem": "no ptrace permission"}
    lines = layers_side_by_side({"fastapi": fastapi, "floor": floor, "django": failed})
    assert lines[0] == "| layer | fastapi | floor | django |"
    assert lines[1] == "| --- | ---: | ---: | ---: |"
    assert "| ORM | 2.50 (50 %) | 0 % | - |" in lines
    assert "| app code | 0.00 (0 %) | 75 % | - |" in lines
    assert lines[-1] == "| total | 5.00 | - | - |"
    assert len(lines) == 2 + 7 + 1
