"""`make report`: the newest complete session of each name, side by side with intervals;
whatever cannot be shown is skipped with one line, and the rest is still built."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts.harness.build import analyze_run
from scripts.harness.readme import END, START
from scripts.harness.results import mark_complete, write_run_file
from scripts.harness.session_report import write_session_report
from scripts.harness.summary import dumps
from scripts.report import main
from tests.harness._factory import two_step_run

REPO = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
README = f"# Bench\n\nIntro stays.\n\n{START}\nold results\n{END}\n\nOutro stays.\n"


def finished_session(
    results: Path,
    name: str,
    minute: int,
    apps: dict[str, dict[str, Any]],
    *,
    trials: int = 3,
) -> Path:
    """A session as `make bench` leaves it: interleaved sealed runs, aggregates, summary.md.

    `apps` maps each app to the meta overrides of its runs (e.g. variant, slow_ms).
    """
    stamp = (WHEN + timedelta(minutes=minute)).strftime("%Y%m%dT%H%M%SZ")
    folder = results / f"{stamp}-{name}"
    order = []
    for trial in range(trials):
        for offset, (app, overrides) in enumerate(apps.items()):
            when = WHEN + timedelta(minutes=minute, seconds=trial * 10 + offset)
            run_dir = two_step_run(folder / "runs", app, when=when, **overrides)
            write_run_file(run_dir, "summary.json", dumps(analyze_run(run_dir)[0]))
            mark_complete(run_dir)
            order.append(
                {"trial": trial + 1, "app": app, "run": run_dir.name, "status": "complete"}
            )
    record = {"name": folder.name, "apps": list(apps), "order": order, "status": "complete"}
    (folder / "session.json").write_text(json.dumps(record))
    write_session_report(folder)
    return folder


@pytest.fixture
def readme(tmp_path: Path) -> Path:
    path = tmp_path / "README.md"
    path.write_text(README)
    return path


def report(results: Path, readme: Path) -> int:
    return main(["--results", str(results), "--readme", str(readme)])


def test_the_newest_session_of_each_name_is_shown_with_medians_and_intervals(
    tmp_path: Path, readme: Path
) -> None:
    results = tmp_path / "results"
    old = finished_session(results, "bench", 0, {"django": {}, "fastapi": {}})
    new = finished_session(results, "bench", 5, {"django": {}, "fastapi": {"slow_ms": 90}})

    assert report(results, readme) == 0

    text = readme.read_text()
    assert text.startswith("# Bench\n\nIntro stays.\n\n" + START + "\n")
    assert text.endswith(END + "\n\nOutro stays.\n")
    assert "### Django vs FastAPI" in text
    assert f"results/{new.name}/django" in text and old.name not in text
    assert "| Django | 3 |" in text and "95 % CI" in text
    # (24 * 90 + 24 * 50) / 48 = 70 ms against (24 * 150 + 24 * 50) / 48 = 100 ms
    assert "| 20 | 2.0 (2.0 to 2.0) | 2.0 (2.0 to 2.0) | 100.0 (100.0 to 100.0) | 70.0" in text
    assert "![throughput per step](results/bench-rps.png)" in text
    comparison = (results / "comparison.md").read_text()
    assert "![throughput per step](bench-rps.png)" in comparison
    assert f"{old.name}: a newer bench session" in comparison
    for chart in ("bench-rps", "bench-latency", "bench-headline"):
        assert (results / f"{chart}.png").read_bytes().startswith(b"\x89PNG"), chart


def test_what_cannot_be_shown_is_skipped_in_one_line_each_and_the_rest_is_built(
    tmp_path: Path, readme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    shown = finished_session(results, "bench", 0, {"django": {}, "fastapi": {}})
    short = finished_session(results, "bench-auto-ramp", 1, {"django": {}}, trials=2)
    legacy = two_step_run(results, "django", when=WHEN + timedelta(hours=1))
    failed = finished_session(results, "bench-x", 2, {"fastapi": {}})
    (failed / "FAILED").write_text("no request succeeded\n")
    running = finished_session(results, "bench-y", 3, {"fastapi": {}})
    (running / "INCOMPLETE").touch()

    assert report(results, readme) == 0

    err = capsys.readouterr().err.splitlines()
    assert f"skipped results/{legacy.name}: a single run from before sessions; not shown" in err
    assert f"skipped results/{failed.name}: a failed session; never shown" in err
    assert any(line.startswith(f"skipped results/{running.name}: incomplete") for line in err)
    assert "skipped Django (`bench-auto-ramp`): 2 trial(s) per app; the README needs 3" in err
    text = readme.read_text()
    assert shown.name in text and short.name not in text
    assert short.name in (results / "comparison.md").read_text()


def test_conn_max_age_zero_is_set_against_the_default_django(tmp_path: Path, readme: Path) -> None:
    results = tmp_path / "results"
    finished_session(results, "bench", 0, {"django": {}, "fastapi": {}})
    zero = {"variant": "conn_max_age=0", "slow_ms": 400}
    finished_session(results, "bench-django-conn_max_age-0", 1, {"django": zero})

    assert report(results, readme) == 0

    text = readme.read_text()
    assert "### Django: CONN_MAX_AGE 0 vs 60" in text
    assert "| CONN_MAX_AGE=0 | 3 |" in text
    # (24 * 400 + 24 * 50) / 48 = 225 ms with CONN_MAX_AGE=0 against 100 ms
    assert "225.0 (225.0 to 225.0)" in text


def test_sessions_measured_differently_are_not_set_side_by_side(
    tmp_path: Path, readme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    finished_session(results, "bench", 0, {"django": {}})
    zero = {"variant": "conn_max_age=0", "settle_seconds": 10}
    finished_session(results, "bench-django-conn_max_age-0", 1, {"django": zero})

    assert report(results, readme) == 0

    err = capsys.readouterr().err
    assert "CONN_MAX_AGE 0 vs default:" in err and "settle_seconds: 5 != 10" in err
    assert "CONN_MAX_AGE 0 vs 60" not in readme.read_text()


def test_missing_markers_leave_the_readme_untouched(tmp_path: Path) -> None:
    results = tmp_path / "results"
    finished_session(results, "bench", 0, {"django": {}})
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    assert report(results, readme) == 2
    assert readme.read_text() == "# no markers\n"


def test_a_damaged_aggregate_skips_its_session_in_one_line(
    tmp_path: Path, readme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    session = finished_session(results, "bench", 0, {"django": {}})
    (session / "django" / "aggregate.json").write_text("{}")
    assert report(results, readme) == 0
    (line,) = [x for x in capsys.readouterr().err.splitlines() if session.name in x]
    assert line.startswith(f"skipped results/{session.name}:") and "aggregate.json" in line


def test_a_missing_results_folder_exits_2_with_one_line(tmp_path: Path, readme: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.report", "--results", str(tmp_path / "nope")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"report: {tmp_path / 'nope'}: not a folder\n"
