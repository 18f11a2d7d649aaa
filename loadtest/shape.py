"""`SteppedRamp`: Locust's load shape for the stepped user ramp (RAMP).

Locust instantiates every shape class of the locustfile at import time, in every process,
but only ticks the one in the master (or the only) process; so settings and the journal are
taken on the first tick, from the options Locust parsed, and a fresh schedule starts with
each test (the web UI may run several).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from locust import LoadTestShape
from locust.runners import Runner

from loadtest.options import LoadRun, from_options
from loadtest.ramp import ENCORE_FILE, StepJournal, StepSchedule, Totals

logger = logging.getLogger(__name__)


class SteppedRamp(LoadTestShape):
    """Hold each RAMP step for STEP_SECONDS; 'auto' grows until the SLO breaks."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._schedule: StepSchedule | None = None
        self._journal: StepJournal | None = None
        self._stop_hooked = False

    def tick(self) -> tuple[int, float] | None:
        if self._schedule is None:
            self._begin()
        assert self._schedule is not None and self._journal is not None
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
        opened = self._journal.observe(
            index=schedule.index, users=schedule.users, at=now, encore=schedule.in_encore
        )
        if opened and schedule.in_encore:
            self._announce_encore(schedule.steady_window(now))
        return result

    def _announce_encore(self, window: tuple[float, float]) -> None:
        """Tell the harness (it polls the file) when the encore's steady state runs, so it
        samples the app then; written whole by a rename, never half."""
        assert self._schedule is not None and self._journal is not None
        path = self._journal.path.with_name(ENCORE_FILE)
        record: dict[str, float] = {"index": self._schedule.index, "users": self._schedule.users}
        record |= {"steady_start": window[0], "end": window[1]}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(path)

    def _begin(self) -> None:
        environment = self._runner().environment
        run: LoadRun = from_options(environment.parsed_options)
        settings = run.settings
        self._schedule = StepSchedule(settings)
        self._journal = StepJournal(run.samples_dir / "steps.jsonl")
        if not self._stop_hooked:
            # Closes the last step when the test ends early (web UI stop, Ctrl-C, --run-time).
            environment.events.test_stop.add_listener(self._on_test_stop)  # type: ignore[no-untyped-call]
            self._stop_hooked = True
        logger.info(
            "stepped ramp %s: %gs steps, %gs settle, %g users/s, journal %s",
            settings.ramp,
            settings.step_seconds,
            settings.settle,
            settings.spawn_rate,
            self._journal.path,
        )

    def _on_test_stop(self, **_kwargs: Any) -> None:
        if self._journal is not None:
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
