from __future__ import annotations

from scripts.harness.figures import Figures
from scripts.harness.knee import find_knee
from scripts.harness.resources import ResourceWindow
from scripts.harness.stats import Latency
from scripts.harness.steps import Step, StepResult, Window

NO_USAGE = ResourceWindow(None, None, None, None, 10.0)


def step(
    users: int,
    avg: float | None,
    p95: float | None = None,
    *,
    rps: float = 10,
    failures: int = 0,
    invalid: str | None = None,
) -> StepResult:
    requests = int(rps * 10)
    latency = (
        None
        if avg is None
        else Latency(avg=avg, p50=avg, p95=p95 if p95 is not None else avg, p99=avg, max=avg)
    )
    return StepResult(
        step=Step(index=0, users=users, start=0, end=10),
        window=Window(0, 10),
        figures=Figures(
            seconds=10,
            requests=requests if avg is not None else 0,
            failures=failures,
            latency=latency,
        ),
        endpoints={},
        resources=NO_USAGE,
        invalid_reasons=(invalid,) if invalid else (),
    )


def test_knees_are_the_first_steps_above_the_slo() -> None:
    knee = find_knee(
        [
            step(40, 50, 80, rps=40),
            step(50, 90, 130, rps=50),
            step(60, 120, 200, rps=55),
            step(70, 80, 90, rps=60),
        ],
        slo_ms=100,
    )
    assert (knee.avg_users, knee.p95_users) == (60, 50)
    # 70 users came back under the SLO after the knee: still the best throughput within it
    assert (knee.max_rps_within_slo, knee.max_rps_users) == (60, 70)
    assert knee.invalid_breach_users == ()


def test_exactly_the_slo_is_within_it() -> None:
    knee = find_knee([step(40, 100, 100)], slo_ms=100)
    assert (knee.avg_users, knee.p95_users) == (None, None)
    assert knee.max_rps_within_slo == 10


def test_slo_never_reached_gives_no_knee() -> None:
    knee = find_knee([step(40, 10, rps=40), step(50, 20, rps=50)], slo_ms=100)
    assert (knee.avg_users, knee.p95_users) == (None, None)
    assert knee.max_rps_users == 50


def test_slo_broken_at_the_first_step_leaves_no_throughput_within_it() -> None:
    knee = find_knee([step(40, 150), step(50, 300)], slo_ms=100)
    assert (knee.avg_users, knee.p95_users) == (40, 40)
    assert (knee.max_rps_within_slo, knee.max_rps_users) == (None, None)


def test_invalid_steps_are_not_knees_but_are_listed() -> None:
    knee = find_knee(
        [step(40, 50, rps=40), step(50, 150, rps=90, invalid="loadgen"), step(60, 200, rps=45)],
        slo_ms=100,
    )
    assert (knee.avg_users, knee.p95_users) == (60, 60)
    assert knee.invalid_breach_users == (50,)
    # the invalid step's 90 req/s do not count either
    assert (knee.max_rps_within_slo, knee.max_rps_users) == (40, 40)


def test_only_invalid_breaches_give_no_knee() -> None:
    knee = find_knee([step(40, 50), step(50, 150, invalid="loadgen")], slo_ms=100)
    assert (knee.avg_users, knee.p95_users) == (None, None)
    assert knee.invalid_breach_users == (50,)


def test_steps_without_requests_are_neither_knees_nor_within_the_slo() -> None:
    knee = find_knee([step(40, None, invalid="no requests")], slo_ms=100)
    assert (knee.avg_users, knee.max_rps_within_slo, knee.invalid_breach_users) == (None, None, ())


def test_failures_above_one_percent() -> None:
    # 100 requests per step: 1 failure is 1 % (not above), 2 are above
    knee = find_knee(
        [
            step(40, 10, rps=10, failures=1),
            step(50, 10, rps=10, failures=2),
            step(60, 10, rps=30, failures=50, invalid="loadgen"),
        ],
        slo_ms=100,
    )
    assert knee.first_users_over_fail_ratio == 50
    # a step serving more than 1 % errors is not "within the SLO", however fast
    assert (knee.max_rps_within_slo, knee.max_rps_users) == (10, 40)


def test_no_failures_gives_no_failing_step() -> None:
    assert find_knee([step(40, 10)], slo_ms=100).first_users_over_fail_ratio is None
