"""Aggregate files from sealed run folders, and charts that render in every edge case."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scripts.harness.build import build_single_run_report
from scripts.harness.errors import HarnessError
from scripts.harness.results import mark_complete
from scripts.harness.summary import Summary
from scripts.harness.trial_charts import headline_chart, trials_latency_chart, trials_rps_chart
from scripts.harness.trial_files import default_label, trials_comparison, write_aggregate
from scripts.harness.trial_markdown import AggregateView
from scripts.harness.trials import AGGREGATE_FILE, build_aggregate, load_aggregate
from tests.harness._factory import two_step_run
from tests.harness._trial_factory import base_summary, make_trial

PNG = b"\x89PNG\r\n\x1a\n"


def sealed_runs(results: Path) -> tuple[list[Path], list[Path], list[str]]:
    """Two trials of each app, interleaved django, fastapi, django, fastapi."""
    django: list[Path] = []
    fastapi: list[Path] = []
    for minute, (app, slow) in enumerate(
        (("django", 95), ("fastapi", 60), ("django", 97), ("fastapi", 62))
    ):
        when = datetime(2026, 1, 1, 0, minute, tzinfo=UTC)
        run_dir = two_step_run(results, app, when=when, slow_ms=slow)
        build_single_run_report(run_dir)
        mark_complete(run_dir)
        (django if app == "django" else fastapi).append(run_dir)
    schedule = sorted(p.name for p in (*django, *fastapi))
    return django, fastapi, schedule


def test_write_aggregate_writes_json_markdown_and_charts(tmp_path: Path) -> None:
    django, _, schedule = sealed_runs(tmp_path / "results")
    out = tmp_path / "results" / "trials-django"
    agg = write_aggregate(django, out, schedule=schedule, folder="results/trials-django")
    assert sorted(p.name for p in out.iterdir()) == [
        "aggregate-headline.png",
        "aggregate-latency.png",
        "aggregate-rps.png",
        "aggregate.json",
        "aggregate.md",
    ]
    assert load_aggregate(out / AGGREGATE_FILE) == agg
    assert [(t["run"], t["position"]) for t in agg["trials"]] == [
        (django[0].name, 1),
        (django[1].name, 3),
    ]
    for png in out.glob("*.png"):
        assert png.read_bytes().startswith(PNG)
    text = (out / "aggregate.md").read_text()
    assert text.startswith("# Django: 2 trials\n")
    assert "| 20 | 2 of 2 | 2.0 (2.0 to 2.0) | 2.0 to 2.0 | 73.0 (66.7 to 79.3) |" in text
    assert "- Django: `results/trials-django`, from the runs" in text
    assert "![most req/s within the SLO](aggregate-headline.png)" in text
    with pytest.raises(HarnessError, match=r"already holds aggregate\.json"):
        write_aggregate(django, out)


def test_nothing_is_written_when_the_trials_are_refused(tmp_path: Path) -> None:
    django, fastapi, _ = sealed_runs(tmp_path / "results")
    out = tmp_path / "results" / "mixed"
    with pytest.raises(HarnessError, match="app: django != fastapi"):
        write_aggregate([django[0], fastapi[0]], out)
    assert not out.exists()


def test_comparison_of_two_aggregates(tmp_path: Path) -> None:
    django, fastapi, schedule = sealed_runs(tmp_path / "results")
    views = []
    for dirs, name in ((django, "d"), (fastapi, "f")):
        agg = write_aggregate(dirs, tmp_path / name, schedule=schedule)
        views.append(AggregateView(default_label(agg), name, agg))
    text, charts = trials_comparison(
        views, title="Django vs FastAPI", chart_stem="trials", image_prefix="results/"
    )
    assert sorted(charts) == ["trials-headline.png", "trials-latency.png", "trials-rps.png"]
    assert all(png.startswith(PNG) for png in charts.values())
    assert "Django at 1, 3; FastAPI at 2, 4." in text
    assert "- FastAPI's most req/s within the SLO is the same as Django's" in text
    assert text.rstrip().endswith("![most req/s within the SLO](results/trials-headline.png)")


def test_labels_name_the_app_and_the_variant(tmp_path: Path) -> None:
    template = base_summary(tmp_path)
    trial = make_trial(template, "r1", {10: (5.0, 10.0, 20.0)})
    trial.summary["variant"] = "conn_max_age=0"
    assert default_label(build_aggregate([trial])) == "Django (conn_max_age=0)"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    return base_summary(tmp_path_factory.mktemp("template"))


def test_charts_render_one_trial_missing_steps_and_no_figures(template: Summary) -> None:
    one = build_aggregate([make_trial(template, "a", {10: (5.0, 10.0, 20.0)})])
    partial = build_aggregate(
        [
            make_trial(template, "b1", {10: (5.0, 10.0, 20.0), 20: (9.0, 50.0, 80.0)}),
            make_trial(template, "b2", {10: (5.5, 11.0, 21.0)}),
            make_trial(template, "b3", {10: (6.0, 500.0, 900.0)}, invalid=(10,), best=None),
        ]
    )
    empty = build_aggregate([make_trial(template, "c", {10: (0.0, 500.0, 900.0)}, best=None)])
    views = [("one", one), ("partial", partial), ("empty", empty)]
    for png in (trials_rps_chart(views), trials_latency_chart(views), headline_chart(views)):
        assert png.startswith(PNG)
