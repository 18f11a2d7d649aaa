"""Open loop (ARRIVAL): each user starts its requests on a schedule, whatever the server does.

A closed loop hides stalls: a user waiting for a slow answer sends nothing, so the load
drops exactly when the server struggles (coordinated omission). Here the ARRIVAL_USERS
users share the step's target rate: each starts a request every ARRIVAL_USERS / rate
seconds. A request the user could not start on time (its previous answer came too late)
starts at once, and its latency is counted from when it should have started, as wrk2
does: the recorder keeps that intended start next to the actual one. Nothing here imports
Locust.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence


class Pacer:
    """One user's schedule: when its next request should start.

    `rate_at(t)` is the target rate (req/s, all users together) in force at run time t
    (seconds since the test started); `users` share it.
    """

    def __init__(
        self, *, users: int, rate_at: Callable[[float], float], rng: random.Random, now: float
    ) -> None:
        self._users = users
        self._rate_at = rate_at
        # A random phase within one interval, so the users do not start in lockstep.
        self._next = now + rng.uniform(0, self._interval(now))

    def _interval(self, t: float) -> float:
        return self._users / self._rate_at(t)

    def next_start(self) -> float:
        """The intended start of the next request; the schedule then moves one interval on,
        from the intended start, not from when the request actually began."""
        intended = self._next
        self._next = intended + self._interval(intended)
        return intended


def step_rate(rates: Sequence[float], step_seconds: float) -> Callable[[float], float]:
    """The target rate at run time t: ARRIVAL's steps, each STEP_SECONDS long; the last holds."""

    def rate_at(t: float) -> float:
        index = min(max(0, int(t // step_seconds)), len(rates) - 1)
        return rates[index]

    return rate_at
