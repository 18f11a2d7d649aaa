"""The README's reading of the results is generated from the sessions, never typed."""

from __future__ import annotations

from pathlib import Path

from scripts.harness.findings import closed_loop_bullets, knee_clause, matrix_bullets
from scripts.harness.matrix import load_trials
from scripts.harness.session_report import session_views
from tests.harness._factory import finished_session


def test_closed_loop_findings_give_knees_the_verdict_and_cpu(tmp_path: Path) -> None:
    folder = finished_session(
        tmp_path, "bench", 0, {"django": {"slow_ms": 400}, "fastapi": {"slow_ms": 90}}
    )
    django, fastapi = session_views(folder)

    knees, verdict, cpu = closed_loop_bullets([django, fastapi])

    # (24 * 400 + 24 * 50) / 48 = 225 ms at 20 users: over the SLO in every trial.
    assert knees == (
        "Django's average first broke 100 ms at 20 users (median, 20 to 20 over the trials); "
        "FastAPI held 100 ms on average at every step of all 3 trials."
    )
    assert verdict.startswith("FastAPI's most req/s within the SLO is")
    assert cpu == (
        "At 20 users (medians): Django 225.0 ms on average, 80 % of its core; "
        "FastAPI 70.0 ms on average, 80 % of its core."
    )


def test_a_knee_some_trials_never_reached_says_so(tmp_path: Path) -> None:
    folder = finished_session(tmp_path, "bench", 0, {"django": {"slow_ms": 400}}, trials=2)
    (view,) = session_views(folder)
    assert knee_clause(view).endswith("(median, 20 to 20 over the trials)")


def test_matrix_findings_give_shares_of_a_held_back_floor(tmp_path: Path) -> None:
    folder = finished_session(tmp_path, "matrix", 0, {"floor": {}, "django": {}}, kind="matrix")
    (share,) = matrix_bullets(load_trials(folder, session_views(folder)))
    assert share == (
        "Django served 4.2 req/s within the SLO (median), at most 100 % of the floor's 4.2."
    )


def test_matrix_findings_set_each_framework_against_the_other(tmp_path: Path) -> None:
    folder = finished_session(
        tmp_path,
        "matrix",
        0,
        {"floor": {}, "fastapi": {}, "django": {"slow_ms": 400}},
        kind="matrix",
    )
    bullets = matrix_bullets(load_trials(folder, session_views(folder)))
    (pair,) = [b for b in bullets if b.startswith("FastAPI's most req/s within the SLO is")]
    assert pair.endswith("no difference was seen.") and "as Django's" in pair
    assert not any("(tuned)" in b for b in bullets)
