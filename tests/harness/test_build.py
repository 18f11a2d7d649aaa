from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from scripts.harness.build import analyze_run, build_single_run_report
from scripts.harness.errors import HarnessError
from scripts.harness.markdown import run_markdown
from scripts.harness.meta import load_meta
from scripts.harness.results import mark_complete
from tests.harness._factory import INVARIANTS_OK, base_meta, make_run, two_step_run

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = two_step_run(tmp_path_factory.mktemp("results"))
    build_single_run_report(run_dir)
    return run_dir


def test_summary_holds_exact_steady_state_figures(run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    first, second = summary["steps"]
    assert {k: first[k] for k in ("users", "seconds", "requests", "rps", "failures")} == {
        "users": 10,
        "seconds": 24.0,
        "requests": 100,
        "rps": 4.17,
        "failures": 0,
    }
    assert [first[k] for k in ("avg_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms")] == [
        50.5,
        50,
        95,
        99,
        100,
    ]
    assert [second[k] for k in ("avg_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms")] == [
        100,
        50,
        150,
        150,
        150,
    ]
    assert (second["requests"], second["rps"], second["failures"]) == (48, 2.0, 1)
    assert second["fail_ratio"] == 0.0208
    assert second["endpoints"]["/orders"] == {
        "requests": 24,
        "rps": 1.0,
        "avg_ms": 50,
        "p50_ms": 50,
        "p95_ms": 50,
        "p99_ms": 50,
        "max_ms": 50,
        "failures": 1,
        "fail_ratio": 0.0417,
    }
    assert "/auth/login" not in second["endpoints"]


def test_summary_holds_resources_of_the_windows_only(run_dir: Path) -> None:
    steps = json.loads((run_dir / "summary.json").read_text())["steps"]
    keys = ("app_cpu_pct", "app_rss_mb", "db_cpu_pct", "nginx_cpu_pct", "loadgen_cpu_pct")
    assert [[s[k] for k in keys] for s in steps] == [[50, 100, 10, 5, 30], [80, 150, 20, 5, 40]]
    assert [(s["valid"], s["invalid_reason"]) for s in steps] == [(True, None), (True, None)]


def test_summary_holds_knee_errors_login_and_checks(run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    # the average of step 20 is exactly the SLO (within it); its p95 is above
    assert summary["knee"] == {"avg_users": None, "p95_users": 20, "invalid_breach_users": []}
    # step 20 failed 2 % of requests, so only step 10 counts as within the SLO
    assert (summary["max_rps_within_slo"], summary["max_rps_within_slo_users"]) == (4.17, 10)
    assert summary["errors"] == {"any": True, "total_failures": 2, "first_users_over_1pct": 20}
    assert summary["login"] == {"requests": 3, "failures": 1, "avg_ms": 400, "p95_ms": 500}
    assert summary["invariants"] == INVARIANTS_OK
    assert (summary["app"], summary["slo_ms"], summary["complete"]) == ("django", 100, True)
    assert summary["think"] == {"text": "1", "low_s": 1.0, "high_s": 1.0}


def test_steps_csv_has_one_row_per_step(run_dir: Path) -> None:
    with (run_dir / "steps.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["users"], r["requests"], r["p95_ms"], r["valid"]) for r in rows] == [
        ("10", "100", "95.0", "True"),
        ("20", "48", "150.0", "True"),
    ]
    assert "endpoints" not in rows[0]
    assert rows[0]["invalid_reason"] == ""


def test_summary_md_states_settings_knee_and_table(run_dir: Path) -> None:
    text = (run_dir / "summary.md").read_text()
    assert "Think time 1 s per user after each request" in text
    assert "SLO 100 ms on the average" in text
    assert (
        "**Knee:** The average stayed within 100 ms at every valid step, the p95 first "
        "exceeded it at 20 users; "
        "the most throughput within the SLO was 4.2 req/s at 10 users."
    ) in text
    assert "| 10 | 24.0 | 100 | 4.2 | 50.5 | 50.0 | 95.0 | 99.0 | 100.0 | 0 (0.00 %) |" in text
    assert "Errors: 2 failed requests in the run; first step above 1 %: 20 users." in text
    assert "Logins are left out of the steps: 3 in the run, average 400.0 ms" in text
    assert "Database invariants: all hold." in text
    assert "| 20 | `/orders` | 24 | 1.0 | 50.0 |" in text


def test_charts_are_png_images(run_dir: Path) -> None:
    for name in ("latency.png", "rps.png", "timeline.png"):
        assert (run_dir / name).read_bytes().startswith(PNG), name


def test_a_completed_run_is_never_reported_over(run_dir: Path, tmp_path: Path) -> None:
    other = two_step_run(tmp_path)
    mark_complete(other)
    with pytest.raises(HarnessError, match="never rewritten"):
        build_single_run_report(other)
    assert not (other / "summary.json").exists()


def test_an_invalid_step_and_unchecked_invariants_are_reported(tmp_path: Path) -> None:
    samples = [(1006.0 + i, "/products", "GET", 300.0, 1, 10) for i in range(10)]
    run_dir = make_run(
        tmp_path,
        meta=base_meta(ramp="10"),
        steps=[(10, 1000, 1030)],
        sample_files=[samples],
        resources=[(1010.0, "loadgen_max", 1, 97.5, 50.0)],
    )
    summary, _ = analyze_run(run_dir)
    [step] = summary["steps"]
    assert step["invalid_reason"] == "load generator at 97.5 % CPU (limit 90 %)"
    assert summary["knee"] == {"avg_users": None, "p95_users": None, "invalid_breach_users": [10]}
    assert summary["invariants"] == {"ok": None, "checks": {}}
    text = run_markdown(summary, load_meta(run_dir))
    assert "† 10 users: load generator at 97.5 % CPU (limit 90 %)." in text
    assert "invalid steps at 10 users also exceeded it and are not counted" in text
    assert "Database invariants: not checked." in text


def test_a_run_cut_short_is_not_complete(tmp_path: Path) -> None:
    run_dir = make_run(
        tmp_path,
        meta=base_meta(ramp=[10, 20, 30]),
        steps=[(10, 1000, 1030)],
        sample_files=[[(1010.0, "/products", "GET", 3.0, 1, 10)]],
        resources=[(1010.0, "loadgen_max", 1, 10.0, 50.0)],
    )
    summary, _ = analyze_run(run_dir)
    assert summary["complete"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: (d / "raw" / "steps.jsonl").unlink(), r"steps.jsonl: missing"),
        (lambda d: (d / "raw" / "resources.csv").unlink(), r"resources.csv: missing"),
        (lambda d: (d / "meta.json").write_text("{"), "meta.json: not JSON"),
        (lambda d: (d / "meta.json").write_text('{"app": "django"}'), "missing 'think'"),
        (lambda d: (d / "invariants.json").write_text("[]"), "invariants.json: must hold a JSON"),
        (lambda d: (d / "invariants.json").write_text("{}"), "invariants.json: must be an object"),
    ],
)
def test_bad_run_folders_are_refused_with_a_message(
    tmp_path: Path, change: object, message: str
) -> None:
    run_dir = two_step_run(tmp_path)
    change(run_dir)  # type: ignore[operator]
    with pytest.raises(HarnessError, match=message):
        build_single_run_report(run_dir)


def test_an_auto_ramp_run_is_complete_with_the_steps_it_took(tmp_path: Path) -> None:
    run_dir = make_run(
        tmp_path,
        meta=base_meta(ramp="auto:10", auto_ramp={"start": 10, "max_users": 100}),
        steps=[(10, 1000, 1030), (15, 1030, 1060)],
        sample_files=[[(1010.0, "/products", "GET", 3.0, 1, 10)]],
        resources=[(1010.0, "loadgen_max", 1, 10.0, 50.0)],
    )
    summary, _ = analyze_run(run_dir)
    assert (summary["ramp"], summary["auto_ramp"], summary["complete"]) == ([10, 15], True, True)
    assert "auto ramp from 10 users, +50 % a step until the average broke the SLO" in run_markdown(
        summary, load_meta(run_dir)
    )
