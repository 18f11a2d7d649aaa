from __future__ import annotations

from scripts.harness.resources import Series
from scripts.harness.samples import Sample
from scripts.harness.steps import Step
from scripts.harness.timeline import build_timeline


def sample(t: float, ms: float, name: str = "/products") -> Sample:
    return Sample(t=t, name=name, method="GET", ms=ms, ok=True, bytes=1)


def test_per_second_rps_rolling_p95_users_and_cpu() -> None:
    steps = [Step(0, 10, 100, 102), Step(1, 20, 102, 104)]
    samples = [
        sample(100.1, 10),
        sample(100.9, 20),
        sample(101.5, 30),
        sample(101.6, 999, name="/auth/login"),  # logins are not part of the load figures
        sample(103.999, 40),
        sample(104.0, 50),  # after the last step ended
    ]
    resources = {
        "app": Series(t=[101.0, 102.0], cpu_pct=[50.0, 70.0], rss_mb=[1.0, 1.0]),
        "loadgen": Series(t=[101.0], cpu_pct=[5.0], rss_mb=[1.0]),
    }

    timeline = build_timeline(samples, steps, resources, rolling_seconds=2)

    assert timeline.rps == [2, 1, 0, 1]
    # second i covers requests started in [i - 1, i + 1) with a 2 s trailing window
    assert timeline.rolling_p95_ms == [20, 30, 30, 40]
    assert timeline.seconds == [0, 1, 2, 3]
    assert (timeline.origin, timeline.step_starts, timeline.users) == (100, [0, 2], [10, 20])
    assert timeline.cpu == {"app": ([1.0, 2.0], [50.0, 70.0])}


def test_seconds_without_requests_have_no_percentile() -> None:
    timeline = build_timeline([sample(0.5, 7)], [Step(0, 1, 0, 3)], {}, rolling_seconds=1)
    assert timeline.rps == [1, 0, 0]
    assert timeline.rolling_p95_ms == [7, None, None]
