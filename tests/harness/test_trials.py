from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scripts.harness.build import build_single_run_report
from scripts.harness.errors import HarnessError
from scripts.harness.results import mark_complete
from scripts.harness.summary import Summary
from scripts.harness.trials import (
    Aggregate,
    aggregate_runs,
    build_aggregate,
    dumps,
    headline_figure,
    load_aggregate,
    method_fields,
)
from tests.harness._factory import base_meta, two_step_run
from tests.harness._trial_factory import base_summary, make_trial


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    return base_summary(tmp_path_factory.mktemp("template"))


def three_trials(template: Summary) -> Aggregate:
    return build_aggregate(
        [
            make_trial(template, "r1", {40: (70.0, 20.0, 50.0), 60: (100.0, 40.0, 90.0)}),
            make_trial(template, "r3", {40: (72.0, 22.0, 55.0), 60: (110.0, 45.0, 95.0)}),
            make_trial(template, "r5", {40: (74.0, 24.0, 60.0), 60: (105.0, 50.0, 99.0)}),
        ],
        schedule=["r1", "r2", "r3", "r4", "r5", "r6"],
    )


def test_steps_are_matched_by_users_and_described(template: Summary) -> None:
    agg = three_trials(template)
    assert [s["users"] for s in agg["steps"]] == [40, 60]
    step = agg["steps"][1]
    assert (step["trials"], step["absent"], step["invalid"]) == (["r1", "r3", "r5"], [], [])
    rps = step["figures"]["rps"]
    assert (rps["values"], rps["n"], rps["median"], rps["min"], rps["max"]) == (
        [100.0, 110.0, 105.0],
        3,
        105.0,
        100.0,
        110.0,
    )
    assert rps["ci_low"] == pytest.approx(105 - 4.3027 * 5 / 3**0.5, abs=0.01)
    assert step["figures"]["p99_ms"]["median"] == 105.0
    assert step["figures"]["app_cpu_pct"]["values"] == [51.0, 51.0, 51.0]
    best = headline_figure(agg, "max_rps_within_slo")
    assert (best["values"], best["median"]) == ([100.0, 110.0, 105.0], 105.0)
    assert headline_figure(agg, "max_rps_within_slo_users")["values"] == [60.0, 60.0, 60.0]


def test_the_interleaving_and_the_method_are_recorded(template: Summary) -> None:
    agg = three_trials(template)
    assert agg["schedule"] == ["r1", "r2", "r3", "r4", "r5", "r6"]
    assert [(t["run"], t["position"]) for t in agg["trials"]] == [("r1", 1), ("r3", 3), ("r5", 5)]
    assert agg["trials"][0]["started_at"] == "2026-01-01T00:00:00Z"
    assert agg["method"] == method_fields(base_meta())
    assert agg["method"]["stack"] == {
        "envelope": {"requested": {"cpus": 1.0, "mem_mb": 512}},
        "database": {"seed": {"products": 100, "users": 1000}},
    }
    assert agg["interval_method"] == "Student-t 95 % interval of the mean over trials"
    assert agg["settings_text"].startswith("Think time 1 s per user after each request")


def test_trials_are_put_in_schedule_order(template: Summary) -> None:
    trials = [make_trial(template, run, {40: (70.0, 20.0, 50.0)}) for run in ("b", "a")]
    agg = build_aggregate(trials, schedule=["a", "x", "b"])
    assert [t["run"] for t in agg["trials"]] == ["a", "b"]
    assert build_aggregate(trials)["schedule"] == ["b", "a"]
    with pytest.raises(HarnessError, match=r"trials missing from the schedule: b$"):
        build_aggregate(trials, schedule=["a"])


def test_a_step_only_some_trials_reached_says_which(template: Summary) -> None:
    agg = build_aggregate(
        [
            make_trial(template, "r1", {40: (70.0, 20.0, 50.0), 60: (100.0, 40.0, 90.0)}),
            make_trial(template, "r2", {40: (72.0, 22.0, 55.0)}),
            make_trial(template, "r3", {40: (74.0, 24.0, 60.0), 60: (90.0, 120.0, 150.0)}),
        ]
    )
    step = agg["steps"][1]
    assert (step["trials"], step["absent"]) == (["r1", "r3"], ["r2"])
    assert step["figures"]["rps"]["values"] == [100.0, None, 90.0]
    assert step["figures"]["rps"]["n"] == 2


def test_invalid_steps_are_left_out_and_listed(template: Summary) -> None:
    agg = build_aggregate(
        [
            make_trial(template, "r1", {40: (70.0, 20.0, 50.0)}),
            make_trial(template, "r2", {40: (999.0, 1.0, 2.0)}, invalid=(40,)),
        ]
    )
    step = agg["steps"][0]
    assert (step["trials"], step["invalid"], step["absent"]) == (["r1"], ["r2"], [])
    assert step["figures"]["rps"]["values"] == [70.0, None]


def test_a_trial_without_any_step_within_the_slo(template: Summary) -> None:
    agg = build_aggregate(
        [
            make_trial(template, "r1", {40: (70.0, 20.0, 50.0)}, knee_p95=40),
            make_trial(template, "r2", {40: (60.0, 150.0, 200.0)}, knee_avg=40, knee_p95=40),
        ]
    )
    best = headline_figure(agg, "max_rps_within_slo")
    assert (best["values"], best["n"], best["ci_low"]) == ([70.0, None], 1, None)
    assert headline_figure(agg, "knee_avg_users")["values"] == [None, 40.0]
    assert headline_figure(agg, "knee_p95_users")["median"] == 40.0
    with pytest.raises(HarnessError, match="no headline figure 'rps'"):
        headline_figure(agg, "rps")


def test_trials_that_differ_in_method_are_refused_naming_the_field(template: Summary) -> None:
    trials = [
        make_trial(template, "r1", {40: (70.0, 20.0, 50.0)}),
        make_trial(template, "r2", {40: (70.0, 20.0, 50.0)}, meta={"step_seconds": 60}),
    ]
    with pytest.raises(
        HarnessError, match=r"refusing to compare: r1 vs r2: step_seconds: 30 != 60"
    ):
        build_aggregate(trials)


def test_trials_of_different_apps_or_variants_are_refused(template: Summary) -> None:
    django = make_trial(template, "r1", {40: (70.0, 20.0, 50.0)})
    fastapi = make_trial(template, "r2", {40: (70.0, 20.0, 50.0)}, app="fastapi")
    with pytest.raises(HarnessError, match="r1 vs r2: app: django != fastapi"):
        build_aggregate([django, fastapi])
    variant = make_trial(template, "r3", {40: (70.0, 20.0, 50.0)})
    variant.summary["variant"] = "conn_max_age=0"
    with pytest.raises(HarnessError, match="r1 vs r3: variant: None != conn_max_age=0"):
        build_aggregate([django, variant])
    with pytest.raises(HarnessError, match="the same run given twice"):
        build_aggregate([django, django])
    with pytest.raises(HarnessError, match="no trials"):
        build_aggregate([])


def test_aggregate_json_round_trips(template: Summary, tmp_path: Path) -> None:
    agg = three_trials(template)
    path = tmp_path / "aggregate.json"
    path.write_text(dumps(agg))
    assert load_aggregate(path) == agg


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda a: a.update(schema_version=2), "schema_version must be 1, got 2"),
        (lambda a: a.pop("trials"), "missing trials"),
        (lambda a: a["headline"].pop("knee_p95_users"), r"headline\.knee_p95_users must hold"),
        (lambda a: a["steps"][1]["figures"]["rps"].pop("ci_low"), r"steps\[1\]\.figures\.rps"),
        (lambda a: a["steps"][0].pop("absent"), r"steps\[0\] must hold users, trials, absent"),
        (lambda a: a.update(steps={}), "steps must be a list"),
    ],
)
def test_a_damaged_aggregate_json_is_refused_naming_the_problem(
    template: Summary, tmp_path: Path, damage: object, message: str
) -> None:
    obj = json.loads(dumps(three_trials(template)))
    damage(obj)  # type: ignore[operator]
    path = tmp_path / "aggregate.json"
    path.write_text(json.dumps(obj))
    with pytest.raises(HarnessError, match=message):
        load_aggregate(path)


def sealed_run(results: Path, app: str, minute: int, **meta: Any) -> Path:
    run_dir = two_step_run(results, app, when=datetime(2026, 1, 1, 0, minute, tzinfo=UTC), **meta)
    build_single_run_report(run_dir)
    mark_complete(run_dir)
    return run_dir


def test_aggregate_runs_reads_sealed_run_folders(tmp_path: Path) -> None:
    runs = [sealed_run(tmp_path, "django", m, slow_ms=s) for m, s in ((0, 90), (2, 95))]
    agg = aggregate_runs(runs)
    assert [t["run"] for t in agg["trials"]] == [r.name for r in runs]
    assert agg["steps"][1]["figures"]["avg_ms"]["values"] == [70.0, 72.5]
    assert agg["app"] == "django"


def test_aggregate_runs_refuses_an_incomplete_run(tmp_path: Path) -> None:
    done = sealed_run(tmp_path, "django", 0)
    unfinished = two_step_run(tmp_path, "django", when=datetime(2026, 1, 1, 0, 5, tzinfo=UTC))
    with pytest.raises(HarnessError, match="not a complete run, so not a trial"):
        aggregate_runs([done, unfinished])


def test_aggregate_runs_refuses_runs_that_differ_in_method(tmp_path: Path) -> None:
    runs = [sealed_run(tmp_path, "django", 0), sealed_run(tmp_path, "django", 1, slo_ms=200)]
    with pytest.raises(HarnessError, match=r"slo_ms: 100 != 200"):
        aggregate_runs(runs)
