from __future__ import annotations

from pathlib import Path

from scripts.harness.build import analyze_run
from scripts.harness.markdown import RunView, knee_sentence, side_by_side
from scripts.harness.meta import load_meta
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


def test_side_by_side_table_pairs_steps_and_names_its_sources(tmp_path: Path) -> None:
    django, django_dir = summary_of(tmp_path, "django")
    fastapi, fastapi_dir = summary_of(tmp_path, "fastapi", slow_ms=90)
    text = side_by_side(
        [
            RunView("Django", "results/d", django, load_meta(django_dir)),
            RunView("FastAPI", "results/f", fastapi, load_meta(fastapi_dir)),
        ],
        title="Django vs FastAPI",
        charts=[("latency", "results/comparison-latency.png")],
    )
    lines = text.splitlines()
    assert lines[0] == "### Django vs FastAPI"
    assert lines[2].startswith("Think time 1 s per user after each request")
    header = lines[4]
    assert header.startswith("| users | Django req/s | FastAPI req/s | Django avg ms |")
    assert lines[6] == (
        "| 10 | 4.2 | 4.2 | 50.5 | 50.5 | 95.0 | 95.0 | 99.0 | 99.0 | 0.00 % | 0.00 % | 50 | 50 |"
    )
    assert lines[7] == (
        "| 20 | 2.0 | 2.0 | 100.0 | 70.0 | 150.0 | 90.0 | 150.0 | 90.0 "
        "| 2.08 % | 2.08 % | 80 | 80 |"
    )
    assert (
        "- **Django**: The average stayed within 100 ms at every valid step, the p95 first "
        "exceeded it at 20 users;" in text
    )
    assert "- Django: `results/d`, command `scripts/bench.py django`" in lines
    assert "- Machine: Test CPU 3000, 2 logical cores, 4096 MB RAM, Linux 6.1, x86_64" in lines
    assert lines[-1] == "![latency](results/comparison-latency.png)"


def test_invalid_steps_are_marked_in_the_side_by_side_table(tmp_path: Path) -> None:
    summary, run_dir = summary_of(tmp_path, "django")
    summary["steps"][1]["valid"] = False
    summary["steps"][1]["invalid_reason"] = "load generator at 95.0 % CPU (limit 90 %)"
    text = side_by_side(
        [RunView("Django", "results/d", summary, load_meta(run_dir))], title="t", charts=[]
    )
    assert "| 20 | 2.0 † | 100.0 † | 150.0 † | 150.0 † | 2.08 % † | 80 † |" in text
    assert "† Invalid steps: Django at 20 users: load generator at 95.0 % CPU (limit 90 %)." in text


def test_side_by_side_shows_every_step_either_run_took() -> None:
    from scripts.harness.markdown import RunView, side_by_side

    def view(label: str, users: list[int]) -> RunView:
        steps = [
            {
                "users": u,
                "rps": float(u),
                "avg_ms": 1.0,
                "p95_ms": 2.0,
                "p99_ms": 3.0,
                "fail_ratio": 0.0,
                "app_cpu_pct": 50.0,
                "valid": True,
                "invalid_reason": None,
            }
            for u in users
        ]
        summary = {
            "steps": steps,
            "ramp": users,
            "auto_ramp": True,
            "think": {"text": "1"},
            "slo_ms": 100.0,
            "step_seconds": 60.0,
            "settle_seconds": 15.0,
            "knee": {"avg_users": None, "p95_users": None, "invalid_breach_users": []},
            "max_rps_within_slo": None,
            "errors": {"any": False},
        }
        return RunView(
            label=label,
            folder=f"results/{label}",
            summary=summary,  # type: ignore[arg-type]
            meta={"machine": None, "command": "make bench"},
        )

    text = side_by_side(
        [view("Django", [40, 60]), view("FastAPI", [40, 60, 90])], title="t", charts=[]
    )
    row = next(line for line in text.splitlines() if line.startswith("| 90 |"))
    assert row.startswith("| 90 | - | 90.0 |"), row
