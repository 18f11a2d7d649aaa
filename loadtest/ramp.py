"""The stepped user ramp as a pure schedule, the auto-ramp decision, and the step journal.

Nothing here imports Locust: `shape.py` feeds the schedule Locust's run time and aggregated
counters, and records each step it reports in `steps.jsonl`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from infra.settings import Settings
from infra.settings.values import FixedRamp

# Written by the shape when the profiled encore starts: {index, users, steady_start, end}.
ENCORE_FILE = "encore.json"
AUTO_GROWTH = 1.5
AUTO_MAX_FAILURE_RATIO = 0.01


@dataclass(frozen=True, slots=True)
class Totals:
    """Locust's cumulative counters over all requests at one moment."""

    num_requests: int
    num_failures: int
    total_response_time: float

    def __sub__(self, earlier: Totals) -> Totals:
        return Totals(
            num_requests=self.num_requests - earlier.num_requests,
            num_failures=self.num_failures - earlier.num_failures,
            total_response_time=self.total_response_time - earlier.total_response_time,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """Users for the next auto step, or None to stop; `reason` is for the log."""

    next_users: int | None
    reason: str


def steady_start(
    *, step_start: float, users_before: int, users: int, spawn_rate: float, settle_seconds: float
) -> float:
    """When a step's steady state begins: after the spawn (or stop) of the changed users and
    a settle period. The analysis (scripts/harness/steps.py) uses the same formula."""
    return step_start + abs(users - users_before) / spawn_rate + settle_seconds


def decide_next_step(
    *,
    users: int,
    steps_done: int,
    steady: Totals,
    max_users: int,
    max_steps: int,
    slo_ms: float,
    max_change: int,
) -> Decision:
    """Grow by AUTO_GROWTH while the steady state held the SLO and errors stayed <= 1 %."""
    if steady.num_requests <= 0:
        return Decision(None, f"no requests finished in the steady state of {users} users")
    avg_ms = steady.total_response_time / steady.num_requests
    failure_ratio = steady.num_failures / steady.num_requests
    where = f"at {users} users (avg {avg_ms:.1f} ms, errors {failure_ratio:.2%})"
    if avg_ms > slo_ms:
        return Decision(None, f"SLO of {slo_ms:g} ms broken {where}")
    if failure_ratio > AUTO_MAX_FAILURE_RATIO:
        return Decision(None, f"errors above {AUTO_MAX_FAILURE_RATIO:.0%} {where}")
    if steps_done >= max_steps:
        return Decision(None, f"AUTO_MAX_STEPS={max_steps} reached {where}")
    if users >= max_users:
        return Decision(None, f"AUTO_MAX_USERS={max_users} reached {where}")
    grown = max(users + 1, math.ceil(users * AUTO_GROWTH))
    next_users = min(grown, max_users, users + max_change)
    return Decision(next_users, f"SLO held {where}")


class StepSchedule:
    """Which user count is in force at a given run time; steps are STEP_SECONDS long.

    Steps start on nominal boundaries (index * step_seconds) so a late tick delays a change
    by at most one tick instead of stretching every later step.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        ramp = settings.steps_ramp
        self._users = [ramp.users[0] if isinstance(ramp, FixedRamp) else ramp.start]
        self._baseline: Totals | None = None
        self._held: list[Totals | None] = []  # each finished step's steady-state counters
        self._finished = False
        self.encore_index: int | None = None
        self.last_decision: Decision | None = None

    @property
    def index(self) -> int:
        return len(self._users) - 1

    @property
    def users(self) -> int:
        return self._users[-1]

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def rate(self) -> float | None:
        """Open loop: the target req/s of the step in force."""
        arrival = self._settings.arrival
        return None if arrival is None else arrival[min(self.index, len(arrival) - 1)]

    @property
    def in_encore(self) -> bool:
        """The step in force is the profiled encore (PROFILE=1), not part of the ramp."""
        return self.encore_index is not None and self.index == self.encore_index

    def tick(self, run_time: float, totals: Totals | None = None) -> tuple[int, float] | None:
        """(users, spawn_rate) in force at `run_time`, or None once the ramp is over.

        `totals` (Locust's counters now) is only needed by the auto ramp.
        """
        if self._finished:
            return None
        if run_time >= (self.index + 1) * self._settings.step_seconds:
            held = None if self._baseline is None or totals is None else totals - self._baseline
            self._held.append(held)
            if not (self._advance(held) or self._encore()):
                self._finished = True
                return None
        if self._baseline is None and run_time >= self._steady_start():
            self._baseline = totals
        return self.users, self._settings.spawn_rate

    def _steady_start(self) -> float:
        return steady_start(
            step_start=self.index * self._settings.step_seconds,
            users_before=self._users[-2] if len(self._users) > 1 else 0,
            users=self.users,
            spawn_rate=self._settings.spawn_rate,
            settle_seconds=self._settings.settle,
        )

    def _advance(self, held: Totals | None) -> bool:
        ramp = self._settings.steps_ramp
        if self.encore_index is not None:
            return False
        if isinstance(ramp, FixedRamp):
            if self.index + 1 >= len(ramp.users):
                return False
            self._users.append(ramp.users[self.index + 1])
            self._baseline = None
            return True
        if held is None:
            self.last_decision = Decision(None, f"no steady-state counters for {self.users} users")
            return False
        self.last_decision = decide_next_step(
            users=self.users,
            steps_done=len(self._users),
            steady=held,
            max_users=self._settings.auto_max_users,
            max_steps=self._settings.auto_max_steps,
            slo_ms=self._settings.slo_ms,
            max_change=self._settings.max_users_change,
        )
        if self.last_decision.next_users is None:
            return False
        self._users.append(self.last_decision.next_users)
        self._baseline = None
        return True

    def _encore(self) -> bool:
        """With PROFILE=1, one more step once the ramp is over, at PROFILE_STEP users or
        (auto) those of the last step whose steady state held the SLO with errors <= 1 %."""
        if not self._settings.profile or self.encore_index is not None:
            return False
        users = self._settings.profile_step or self._last_within_slo()
        self._users.append(users)
        self.encore_index = self.index
        self._baseline = None
        return True

    def _last_within_slo(self) -> int:
        for users, held in zip(reversed(self._users), reversed(self._held), strict=True):
            if held is None or held.num_requests <= 0:
                continue
            avg_ms = held.total_response_time / held.num_requests
            ok = held.num_failures / held.num_requests <= AUTO_MAX_FAILURE_RATIO
            if avg_ms <= self._settings.slo_ms and ok:
                return users
        return self._users[0]

    def steady_window(self, step_start_epoch: float) -> tuple[float, float]:
        """The steady window of the step in force, in epoch seconds, given when it began."""
        start = steady_start(
            step_start=step_start_epoch,
            users_before=self._users[-2] if len(self._users) > 1 else 0,
            users=self.users,
            spawn_rate=self._settings.spawn_rate,
            settle_seconds=self._settings.settle,
        )
        return start, step_start_epoch + self._settings.step_seconds


@dataclass(frozen=True, slots=True)
class _OpenStep:
    index: int
    users: int
    start: float
    encore: bool
    rate: float | None


class StepJournal:
    """Appends one `{"index", "users", "start", "end"}` line per step as the step ends
    (with `"encore": true` for the profiled encore, `"rate"` in the open loop)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._open: _OpenStep | None = None

    def observe(
        self, *, index: int, users: int, at: float, encore: bool = False, rate: float | None = None
    ) -> bool:
        """The step `index` is in force at epoch `at`; a new index ends the previous step.

        True when this call opened a new step.
        """
        if self._open is not None and self._open.index == index:
            return False
        self.close(at=at)
        self._open = _OpenStep(index=index, users=users, start=at, encore=encore, rate=rate)
        return True

    def close(self, *, at: float) -> None:
        """End the open step, if any, at epoch `at` and write it out."""
        step, self._open = self._open, None
        if step is None:
            return
        line: dict[str, object] = {
            "index": step.index,
            "users": step.users,
            "start": step.start,
            "end": at,
        }
        if step.encore:
            line["encore"] = True
        if step.rate is not None:
            line["rate"] = step.rate
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
