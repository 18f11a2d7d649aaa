"""Think time: a pause between two requests of one simulated user.

Locust's `wait_time` only runs between task calls; the shopper flow makes four requests per
task, so the pause is taken explicitly after each request instead.
"""

from __future__ import annotations

import random

import gevent

from infra.settings.values import ThinkTime


def pause(think: ThinkTime, rng: random.Random) -> None:
    """Yield to other simulated users for one think time (0 still yields once).

    Each simulated user passes its own generator: one made at import time would be copied
    into every forked Locust worker, and their users would think in lockstep.
    """
    gevent.sleep(think.sample(rng))
