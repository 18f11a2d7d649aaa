from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.resources import Series
from scripts.harness.samples import Sample
from scripts.harness.steps import Step, Window, analyze_steps, load_steps, steady_windows


def sample(t: float, ms: float, name: str = "/products", ok: bool = True) -> Sample:
    return Sample(t=t, name=name, method="GET", ms=ms, ok=ok, bytes=100)


def loadgen(*readings: tuple[float, float]) -> dict[str, Series]:
    return {
        "loadgen_max": Series(
            t=[t for t, _ in readings],
            cpu_pct=[c for _, c in readings],
            rss_mb=[0.0 for _ in readings],
        )
    }


def test_windows_discard_the_ramp_up_or_down_and_the_settle_time() -> None:
    steps = [Step(0, 40, 0, 60), Step(1, 50, 60, 120), Step(2, 30, 120, 180)]
    windows = steady_windows(steps, spawn_rate=10, settle_seconds=5)
    # 40 users from 0 at 10/s: 4 s; +10 users: 1 s; -20 users: 2 s; then 5 s settle each
    assert windows == [Window(9, 60), Window(66, 120), Window(127, 180)]
    assert [w.seconds for w in windows] == [51, 54, 53]


def test_a_step_shorter_than_ramp_and_settle_has_an_empty_window() -> None:
    [window] = steady_windows([Step(0, 100, 0, 8)], spawn_rate=10, settle_seconds=5)
    assert window == Window(8, 8)
    assert window.seconds == 0


def test_spawn_rate_must_be_positive() -> None:
    with pytest.raises(HarnessError, match="spawn_rate"):
        steady_windows([Step(0, 1, 0, 1)], spawn_rate=0, settle_seconds=0)


def test_step_figures_count_only_requests_started_inside_the_window() -> None:
    steps = [Step(0, 10, 0, 20)]  # window [6, 20): 1 s ramp + 5 s settle, 14 s long
    samples = [
        sample(5.99, 9000),  # ramp/settle: excluded
        sample(20.0, 9000),  # next step: excluded
        *(sample(6 + i * 0.1, ms) for i, ms in enumerate(range(1, 21))),
        sample(7, 300, name="/auth/login"),  # logins never count towards a step
        sample(8, 5, name="/orders", ok=False),
    ]
    [result] = analyze_steps(samples, steps, loadgen((10, 50)), spawn_rate=10, settle_seconds=5)

    fig = result.figures
    assert (fig.requests, fig.failures, fig.seconds) == (21, 1, 14)
    assert fig.rps == 21 / 14
    assert fig.fail_ratio == 1 / 21
    assert fig.latency is not None
    # 1..20 plus one 5: sorted 1,2,3,4,5,5,6,...,20; rank ceil(.5*21)=11 -> 10, rank 20 -> 19
    assert (fig.latency.p50, fig.latency.p95, fig.latency.max) == (10, 19, 20)
    assert fig.latency.avg == pytest.approx((210 + 5) / 21)
    assert list(result.endpoints) == ["/orders", "/products"]
    assert result.endpoints["/orders"].failures == 1
    assert result.endpoints["/products"].requests == 20
    assert result.endpoints["/products"].rps == 20 / 14
    assert result.valid


def test_a_busy_load_generator_makes_the_step_invalid() -> None:
    steps = [Step(0, 10, 0, 20), Step(1, 10, 20, 40)]
    samples = [sample(10, 5), sample(30, 5)]
    # only the second step's window (25, 40] saw the busiest Locust process above 90 %
    resources = loadgen((10, 90.0), (30, 90.5))
    first, second = analyze_steps(samples, steps, resources, spawn_rate=10, settle_seconds=5)
    assert first.valid
    assert not second.valid
    assert second.invalid_reasons == ("load generator at 90.5 % CPU (limit 90 %)",)


def test_a_step_without_samples_or_loadgen_readings_is_invalid() -> None:
    [result] = analyze_steps([], [Step(0, 10, 0, 20)], {}, spawn_rate=10, settle_seconds=5)
    assert result.figures.requests == 0
    assert result.figures.latency is None
    assert result.figures.rps == 0
    assert result.invalid_reasons == (
        "no requests in the steady-state window",
        "load generator CPU not recorded",
    )


def test_load_steps_orders_by_index_and_checks_them(tmp_path: Path) -> None:
    path = tmp_path / "steps.jsonl"
    rows = [
        {"index": 1, "users": 50, "start": 60.5, "end": 120},
        {"index": 0, "users": 40, "start": 0, "end": 60.5},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert load_steps(path) == [Step(0, 40, 0, 60.5), Step(1, 50, 60.5, 120)]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "no steps"),
        (['{"index": 1, "users": 5, "start": 0, "end": 1}'], "indices"),
        (['{"index": 0, "users": 5, "start": 2, "end": 1}'], "end must not precede start"),
        (['{"index": 0, "users": -5, "start": 0, "end": 1}'], "non-negative"),
        (['{"index": 0, "users": 5, "start": 0}'], r"steps.jsonl:1: not a step"),
        (["not json"], "not a step"),
    ],
)
def test_malformed_steps_are_refused(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "steps.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    with pytest.raises(HarnessError, match=message):
        load_steps(path)
