from __future__ import annotations

from pathlib import Path

from scripts.harness.build import analyze_run
from scripts.harness.markdown import knee_sentence
from scripts.harness.summary import Summary
from tests.harness._factory import two_step_run


def summary_of(tmp_path: Path, app: str, **kwargs: object) -> tuple[Summary, Path]:
    run_dir = two_step_run(tmp_path / app, app, **kwargs)  # type: ignore[arg-type]
    return analyze_run(run_dir)[0], run_dir


def test_knee_sentence_when_the_slo_holds_throughout(tmp_path: Path) -> None:
    summary, _ = summary_of(tmp_path, "fastapi", slow_ms=90)
    assert knee_sentence(summary) == (
        "The average and the p95 stayed within 100 ms at every valid step (up to 20 users); "
        "the most throughput within the SLO was 4.2 req/s at 10 users."
    )


def test_knee_sentence_when_the_average_breaks_the_slo(tmp_path: Path) -> None:
    summary, _ = summary_of(tmp_path, "django", slow_ms=250, slo_ms=60)
    assert knee_sentence(summary) == (
        "The average first exceeded 60 ms at 20 users, the p95 first exceeded it at 10 users; "
        "the most throughput within the SLO was 4.2 req/s at 10 users."
    )


def test_knee_sentence_when_no_step_is_within_the_slo(tmp_path: Path) -> None:
    summary, _ = summary_of(tmp_path, "django", slo_ms=40)
    assert knee_sentence(summary) == (
        "The average first exceeded 40 ms at 10 users, the p95 first exceeded it at 10 users; "
        "no valid step was within the SLO."
    )
