"""`SteppedRamp`: Locust's load shape for the stepped user ramp (BENCH_RAMP).

Locust instantiates every shape class of the locustfile at import time, in every process,
but only ticks the one in the master (or the only) process; so the journal is opened lazily
on the first tick, and a fresh schedule starts with each test (the web UI may run several).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from locust import LoadTestShape
from locust.runners import Runner

from loadtest.ramp import StepJournal, StepSchedule, Totals
from loadtest.settings import current_settings

logger = logging.getLogger(__name__)


class SteppedRamp(LoadTestShape):
    """Hold each BENCH_RAMP step for BENCH_STEP_SECONDS; 'auto' grows until the SLO breaks."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._settings = current_settings()
        self._schedule: StepSchedule | None = None
        self._journal = StepJournal(self._settings.samples_dir / "steps.jsonl")
        self._stop_hooked = False

    def tick(self) -> tuple[int, float] | None:
        if self._schedule is None:
            self._begin()
        assert self._schedule is not None
        schedule = self._schedule
        index_before = schedule.index
        run_time = self.get_run_time()  # type: ignore[no-untyped-call]
        result = schedule.tick(run_time, self._totals())
        now = time.time()
        if schedule.index != index_before and schedule.last_decision is not None:
            logger.info(
                "auto ramp: %s; next step %d users", schedule.last_decision.reason, schedule.users
            )
        if result is None:
            if schedule.last_decision is not None:
                logger.info("auto ramp stops: %s", schedule.last_decision.reason)
            self._journal.close(at=now)
            return None
        self._journal.observe(index=schedule.index, users=schedule.users, at=now)
        return result

    def _begin(self) -> None:
        self._schedule = StepSchedule(self._settings)
        if not self._stop_hooked:
            # Closes the last step when the test ends early (web UI stop, Ctrl-C, --run-time).
            events = self._runner().environment.events
            events.test_stop.add_listener(self._on_test_stop)  # type: ignore[no-untyped-call]
            self._stop_hooked = True
        logger.info(
            "stepped ramp %s: %gs steps, %gs settle, %g users/s, journal %s",
            self._settings.ramp,
            self._settings.step_seconds,
            self._settings.settle_seconds,
            self._settings.spawn_rate,
            self._journal.path,
        )

    def _on_test_stop(self, **_kwargs: Any) -> None:
        self._journal.close(at=time.time())
        self._schedule = None

    def _runner(self) -> Runner:
        if self.runner is None:
            raise RuntimeError("SteppedRamp ticked before Locust attached a runner")
        return self.runner

    def _totals(self) -> Totals:
        total = self._runner().stats.total
        return Totals(
            num_requests=total.num_requests,
            num_failures=total.num_failures,
            total_response_time=total.total_response_time,
        )
