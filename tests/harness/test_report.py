from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts.harness.build import analyze_run
from scripts.harness.readme import END, START
from scripts.harness.results import mark_complete, write_run_file
from scripts.harness.summary import dumps
from scripts.report import main
from tests.harness._factory import two_step_run

REPO = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
README = f"# Bench\n\nIntro stays.\n\n{START}\nold results\n{END}\n\nOutro stays.\n"


def finished_run(
    results: Path, app: str, minute: int, *, complete: bool = True, **kwargs: Any
) -> Path:
    """A run as the orchestrator leaves it: summary.json written, then marked complete."""
    run_dir = two_step_run(results, app, when=WHEN + timedelta(minutes=minute), **kwargs)
    write_run_file(run_dir, "summary.json", dumps(analyze_run(run_dir)[0]))
    if complete:
        mark_complete(run_dir)
    return run_dir


@pytest.fixture
def readme(tmp_path: Path) -> Path:
    path = tmp_path / "README.md"
    path.write_text(README)
    return path


def test_report_compares_the_newest_complete_runs(tmp_path: Path, readme: Path) -> None:
    results = tmp_path / "results"
    old_django = finished_run(results, "django", 0)
    django = finished_run(results, "django", 1)
    fastapi = finished_run(results, "fastapi", 2, slow_ms=90)
    finished_run(results, "fastapi", 3, complete=False)
    zero = finished_run(results, "django", 4, variant="conn_max_age=0", slow_ms=400)

    assert main(["--results", str(results), "--readme", str(readme)]) == 0

    text = readme.read_text()
    assert text.startswith("# Bench\n\nIntro stays.\n\n" + START + "\n")
    assert text.endswith(END + "\n\nOutro stays.\n")
    assert "### Django vs FastAPI" in text
    assert f"- Django: `results/{django.name}`" in text
    assert f"- FastAPI: `results/{fastapi.name}`" in text
    assert old_django.name not in text
    assert "| 20 | 2.0 | 2.0 | 100.0 | 70.0 |" in text
    assert "### Django: CONN_MAX_AGE 0 vs 60" in text
    assert f"- CONN_MAX_AGE=0: `results/{zero.name}`" in text
    # (24 * 400 + 24 * 50) / 48 = 225 ms with CONN_MAX_AGE=0 against 100 ms
    assert "| 20 | 2.0 | 2.0 | 100.0 | 225.0 |" in text
    assert "- **CONN_MAX_AGE=0**: The average first exceeded 100 ms at 20 users" in text
    assert "![latency per step](results/comparison-latency.png)" in text
    assert "![throughput per step](results/conn-max-age-rps.png)" in text
    comparison = (results / "comparison.md").read_text()
    assert "![latency per step](comparison-latency.png)" in comparison
    assert "### Django vs FastAPI" in comparison
    for name in (
        "comparison-latency",
        "comparison-rps",
        "conn-max-age-latency",
        "conn-max-age-rps",
    ):
        assert (results / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name


def test_a_conn_max_age_run_measured_differently_is_left_out(tmp_path: Path, readme: Path) -> None:
    results = tmp_path / "results"
    finished_run(results, "django", 0)
    zero = finished_run(results, "django", 1, variant="conn_max_age=0", settle_seconds=10)

    assert main(["--results", str(results), "--readme", str(readme)]) == 0

    text = readme.read_text()
    assert "### Django\n" in text
    assert f"The newest CONN_MAX_AGE=0 run `results/{zero.name}` was measured differently" in text
    assert "settle_seconds: 5 != 10" in text
    assert not (results / "conn-max-age-latency.png").exists()


def test_runs_differing_in_method_are_refused(
    tmp_path: Path, readme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    finished_run(results, "django", 0)
    finished_run(results, "fastapi", 1, slo_ms=200)

    assert main(["--results", str(results), "--readme", str(readme)]) == 2

    err = capsys.readouterr().err
    assert err.startswith("report: runs differ in method, refusing to compare: ")
    assert "slo_ms: 100 != 200" in err
    assert err.count("\n") == 1
    assert readme.read_text() == README
    assert not (results / "comparison.md").exists()


def test_missing_markers_leave_every_file_untouched(tmp_path: Path) -> None:
    results = tmp_path / "results"
    finished_run(results, "django", 0)
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    assert main(["--results", str(results), "--readme", str(readme)]) == 2
    assert readme.read_text() == "# no markers\n"
    assert not (results / "comparison.md").exists()


def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path: Path, readme: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.report",
            "--results",
            str(results),
            "--readme",
            str(readme),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"report: {results}: no complete django or fastapi run\n"


def test_a_damaged_summary_is_reported_in_one_line(
    tmp_path: Path, readme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    run_dir = finished_run(results, "django", 0)
    (run_dir / "summary.json").write_text("{}")
    assert main(["--results", str(results), "--readme", str(readme)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"report: {run_dir / 'summary.json'}: missing keys app, variant,")
    assert err.count("\n") == 1


def test_runs_sharing_a_variant_label_get_their_own_table(tmp_path: Path, readme: Path) -> None:
    results = tmp_path / "results"
    finished_run(results, "django", 0)
    finished_run(results, "fastapi", 1)
    auto_django = finished_run(results, "django", 2, variant="auto-ramp", slow_ms=300)
    auto_fastapi = finished_run(results, "fastapi", 3, variant="auto-ramp")
    finished_run(results, "django", 4, variant="django-only")

    assert main(["--results", str(results), "--readme", str(readme)]) == 0

    text = readme.read_text()
    assert "### Django vs FastAPI, variant `auto-ramp`" in text
    assert f"- Django: `results/{auto_django.name}`" in text
    assert f"- FastAPI: `results/{auto_fastapi.name}`" in text
    assert "django-only" not in text
    assert (results / "variant-auto-ramp-latency.png").stat().st_size > 0
