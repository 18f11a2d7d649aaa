"""`make percentiles`: a run's figures recomputed from its (compressed) samples, checked."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scripts.harness.build import analyze_run
from scripts.harness.prune import run_folders
from scripts.harness.recompute import recheck_run, render
from scripts.harness.results import is_complete, mark_complete, write_run_file
from scripts.harness.summary import dumps
from scripts.percentiles import main
from tests.harness._factory import two_step_run

REPO = Path(__file__).resolve().parents[2]


def sealed_run(results: Path) -> Path:
    """A synthetic run reported and sealed the way `make bench` does it."""
    run_dir = two_step_run(results, "django", when=datetime(2026, 11, 25, tzinfo=UTC))
    write_run_file(run_dir, "summary.json", dumps(analyze_run(run_dir)[0]))
    mark_complete(run_dir)
    return run_dir


def tamper(run_dir: Path, edit: dict[str, object], *, step: int, endpoint: str = "") -> None:
    """Change summary.json in place (a sealed run is never rewritten by the harness itself)."""
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    row = summary["steps"][step]
    (row["endpoints"][endpoint] if endpoint else row).update(edit)
    path.write_text(json.dumps(summary))


def test_a_sealed_synthetic_run_recomputes_identically(tmp_path: Path) -> None:
    run_dir = sealed_run(tmp_path)
    assert sorted(p.name for p in (run_dir / "raw").glob("samples-*")) == [
        "samples-0.csv.gz",
        "samples-1.csv.gz",
    ]

    recheck = recheck_run(run_dir)

    assert recheck.matches and recheck.differences == []
    # The figures two_step_run is built to give: 100 requests of 1..100 ms in step 1.
    first = recheck.recomputed["steps"][0]
    assert (first["requests"], first["p50_ms"], first["p95_ms"], first["p99_ms"]) == (
        100,
        50.0,
        95.0,
        99.0,
    )
    # 2 run figures + 4 login + 2 steps x 13 + 3 endpoint rows x 9.
    assert recheck.figures_checked == 2 + 4 + 2 * 13 + 3 * 9
    text = render(recheck)
    assert "OK: all 59 figures equal summary.json" in text
    assert "users  steady s  requests" in text
    assert "samples-0.csv.gz, samples-1.csv.gz" in text


def test_every_differing_figure_is_named(tmp_path: Path) -> None:
    run_dir = sealed_run(tmp_path)
    tamper(run_dir, {"p95_ms": 94.0, "requests": 99}, step=0)
    tamper(run_dir, {"p99_ms": 1.0}, step=1, endpoint="/orders")

    recheck = recheck_run(run_dir)

    assert [str(d) for d in recheck.differences] == [
        "step 1 (10 users) requests: summary.json 99, samples 100",
        "step 1 (10 users) p95_ms: summary.json 94.0, samples 95.0",
        "step 2 (20 users) /orders p99_ms: summary.json 1.0, samples 50.0",
    ]
    assert "DIFFERENT: 3 of 59 figures differ" in render(recheck)


def test_a_count_stored_as_true_is_not_equal_to_one(tmp_path: Path) -> None:
    run_dir = sealed_run(tmp_path)
    tamper(run_dir, {"failures": True}, step=1, endpoint="/orders")  # one failed order
    assert [d.figure for d in recheck_run(run_dir).differences] == ["failures"]


def test_the_cli_exits_0_when_equal_1_when_different_2_when_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = sealed_run(tmp_path / "a")
    bad = sealed_run(tmp_path / "b")
    tamper(bad, {"max_ms": 1.0}, step=0)

    assert main([str(good)]) == 0
    assert "OK: all 59 figures" in capsys.readouterr().out
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "OK: all 59" in out and "step 1 (10 users) max_ms: summary.json 1.0" in out
    assert main([str(tmp_path / "missing"), str(good)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"percentiles: {tmp_path / 'missing' / 'summary.json'}: missing\n"
    assert "OK: all 59" in captured.out  # the other runs are still checked


def test_a_run_without_samples_is_a_one_line_error(tmp_path: Path) -> None:
    run_dir = sealed_run(tmp_path)
    for path in (run_dir / "raw").glob("samples-*"):
        path.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "scripts.percentiles", str(run_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("percentiles: ") and done.stderr.count("\n") == 1
    assert "no samples-*.csv or samples-*.csv.gz files" in done.stderr


def test_committed_runs_recompute_identically_from_their_compressed_samples() -> None:
    """The evidence behind the README's figures is in the repository and still adds up."""
    results = REPO / "results"
    sessions = [p for p in results.iterdir() if (p / "session.json").is_file()]
    singles = [p for p in run_folders(results) if p not in sessions]
    nested = [run for s in sessions if (s / "runs").is_dir() for run in run_folders(s / "runs")]
    runs = [run for run in singles + nested if is_complete(run)]
    assert runs, "results/ holds no complete run"
    for run_dir in runs:
        recheck = recheck_run(run_dir)
        assert recheck.sample_files, run_dir
        assert all(p.name.endswith(".csv.gz") for p in recheck.sample_files), run_dir
        assert recheck.differences == [], run_dir
        assert recheck.figures_checked > 100
