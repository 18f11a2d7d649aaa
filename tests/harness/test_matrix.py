"""`make matrix`'s table: every app against the floor, and a floor the machine held back."""

from __future__ import annotations

from pathlib import Path

from scripts.harness.matrix import common_users, load_trials, matrix_lines
from scripts.harness.session_report import session_views
from tests.harness._factory import finished_session


def test_every_app_is_set_against_the_floor_which_the_machine_held_back(tmp_path: Path) -> None:
    # The synthetic runs' app CPU at their best step (10 users) is 50 %: not the floor's
    # own core, so its figure is a lower bound and each share of it an upper bound.
    folder = finished_session(
        tmp_path,
        "matrix",
        0,
        {"floor": {}, "django": {"slow_ms": 400}},
        kind="matrix",
    )
    apps = load_trials(folder, session_views(folder))

    assert common_users(apps) == 20
    lines = matrix_lines(apps)
    header, _, floor, django, _, note = lines
    assert header.startswith("| app | trials | most req/s within SLO (95 % CI) |")
    assert "app CPU ms per request at 20 users" in header
    assert floor.startswith(
        "| Floor (no framework) | 3 | >= 4.2 (4.2 to 4.2) |"
    ) and floor.endswith("| 100 % |")
    # 80 % of a core at 2.0 req/s is 400 ms of CPU per request.
    assert "| 400.00 |" in django and django.endswith("| <= 100 % (100 to 100) |")
    assert note.startswith(">= / <=: the floor's own core was only 50 % busy at its best step")
    # No trial of the floor broke the SLO: the ramp, not the machine, ended it.
    assert "the ramp ended before the floor broke the SLO" in note
    text = (folder / "summary.md").read_text()
    assert "### Every app against the floor" in text and ">= 4.2" in text


def test_a_floor_that_broke_the_slo_on_a_busy_machine_names_the_machine(tmp_path: Path) -> None:
    folder = finished_session(
        tmp_path, "matrix", 0, {"floor": {"slow_ms": 400}, "django": {}}, kind="matrix"
    )
    note = matrix_lines(load_trials(folder, session_views(folder)))[-1]
    assert note.startswith(">= / <=: the floor's own core was only")
    assert "the ramp ended" not in note


def test_one_trial_a_side_gives_the_share_without_an_interval(tmp_path: Path) -> None:
    folder = finished_session(
        tmp_path, "matrix", 0, {"floor": {}, "django": {}}, kind="matrix", trials=1
    )
    django = matrix_lines(load_trials(folder, session_views(folder)))[3]
    assert django.startswith("| Django | 1 |") and django.endswith("| <= 100 % |")
