"""The open loop's schedule: starts stay on schedule whatever the server does."""

from __future__ import annotations

import itertools
import random

from loadtest.pacing import Pacer, step_rate


def test_users_share_the_rate_and_the_schedule_ignores_late_answers() -> None:
    pacer = Pacer(users=10, rate_at=lambda _t: 50.0, rng=random.Random(1), now=100.0)
    first = pacer.next_start()
    assert 100.0 <= first < 100.2  # a random phase within one interval of 10 / 50 s
    # Whenever the user gets to ask, the next intended start is one interval later than
    # the previous intended one: a slow answer never pushes the schedule back.
    starts = [pacer.next_start() for _ in range(4)]
    assert [round(b - a, 9) for a, b in zip([first, *starts], starts, strict=False)] == [0.2] * 4


def test_the_interval_follows_the_rate_of_the_step_in_force() -> None:
    rate_at = step_rate((10.0, 40.0), step_seconds=30.0)
    assert [rate_at(t) for t in (-1.0, 0.0, 29.9, 30.0, 95.0)] == [10.0, 10.0, 10.0, 40.0, 40.0]
    pacer = Pacer(users=4, rate_at=rate_at, rng=random.Random(0), now=0.0)
    starts = [pacer.next_start() for _ in range(80)]
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(starts)}
    assert gaps == {0.4, 0.1}  # 4 users at 10 req/s, then at 40 req/s
