"""Think time: a pause between two requests of one simulated user.

Locust's `wait_time` only runs between task calls; the shopper flow makes four requests per
task, so the pause is taken explicitly after each request instead.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

import gevent

_THINK_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:-\s*([0-9]+(?:\.[0-9]+)?)\s*)?$")


@dataclass(frozen=True, slots=True)
class ThinkTime:
    """Uniform pause in [low, high] seconds; low == high is a constant pause."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("think time bounds must be finite")
        if not 0 <= self.low <= self.high:
            raise ValueError("think time needs 0 <= low <= high")

    def sample(self, rng: random.Random) -> float:
        return self.low if self.low == self.high else rng.uniform(self.low, self.high)

    def __str__(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}-{self.high:g}"


def parse_think(text: str) -> ThinkTime:
    """'0.25-0.75' (uniform), '0.5' (constant) or '0' (none), in seconds."""
    match = _THINK_RE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not 'low-high' or a single number of seconds")
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) is not None else low
    return ThinkTime(low=low, high=high)


def pause(think: ThinkTime, rng: random.Random) -> None:
    """Yield to other simulated users for one think time (0 still yields once).

    Each simulated user passes its own generator: one made at import time would be copied
    into every forked Locust worker, and their users would think in lockstep.
    """
    gevent.sleep(think.sample(rng))
