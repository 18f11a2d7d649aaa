from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.settings import Settings
from loadtest.ramp import Decision, StepJournal, StepSchedule, Totals, decide_next_step


def settings(**env: str) -> Settings:
    """The examples below use minute-long steps with a 15 s settle."""
    return Settings.from_env(
        {"STEP_SECONDS": "60", "SETTLE_SECONDS": "15", **{k.upper(): v for k, v in env.items()}}
    )


def steady(requests: int, avg_ms: float, failures: int = 0) -> Totals:
    return Totals(
        num_requests=requests, num_failures=failures, total_response_time=requests * avg_ms
    )


class TestFixedRamp:
    def test_each_step_holds_for_step_seconds_then_the_ramp_stops(self) -> None:
        schedule = StepSchedule(settings(ramp="40 50 60"))

        ticks = [schedule.tick(t) for t in (0, 30, 59.9, 60, 119.5, 120, 179.9)]

        assert ticks == [(40, 10)] * 3 + [(50, 10)] * 2 + [(60, 10)] * 2
        assert schedule.tick(180) is None
        assert schedule.finished
        assert schedule.tick(181) is None

    def test_a_late_tick_delays_a_step_instead_of_skipping_it(self) -> None:
        schedule = StepSchedule(settings(ramp="40 50 60"))
        schedule.tick(0)

        assert schedule.tick(130) == (50, 10)
        assert schedule.tick(131) == (60, 10)

    def test_spawn_rate_is_passed_through(self) -> None:
        schedule = StepSchedule(settings(ramp="2 3", step_seconds="5", settle_seconds="1"))
        assert schedule.tick(0) == (2, 10)
        assert schedule.tick(5) == (3, 10)
        assert schedule.tick(10) is None


class TestAutoRamp:
    def test_grows_while_the_slo_holds_and_stops_after_the_step_that_broke_it(self) -> None:
        schedule = StepSchedule(settings(ramp="auto"))

        # Step 0 (40 users): steady from 0 + 40/10 + 15 = 19 s; 1000 requests at 50 ms.
        assert schedule.tick(0, steady(0, 0)) == (40, 10)
        assert schedule.tick(10, steady(50, 500)) == (40, 10)
        assert schedule.tick(19, steady(100, 50)) == (40, 10)
        assert schedule.tick(60, steady(1100, 50)) == (60, 10)
        assert schedule.last_decision is not None
        assert "SLO held at 40 users (avg 50.0 ms" in schedule.last_decision.reason
        # Step 1 (60 users): steady from 60 + 20/10 + 15 = 77 s; 1000 requests at 150 ms.
        assert schedule.tick(76, steady(1900, 60)) == (60, 10)
        assert schedule.tick(77, steady(2000, 60)) == (60, 10)
        end = Totals(3000, 0, 2000 * 60 + 1000 * 150)
        assert schedule.tick(120, end) is None
        assert "SLO of 100 ms broken at 60 users (avg 150.0 ms" in schedule.last_decision.reason

    def test_only_the_steady_state_counts(self) -> None:
        schedule = StepSchedule(settings(ramp="auto"))
        schedule.tick(0, steady(0, 0))
        # The spawn and settle were slow (1000 ms) but the steady state was fast.
        at_steady_start = steady(100, 1000)
        schedule.tick(20, at_steady_start)
        fast = Totals(1100, 0, at_steady_start.total_response_time + 1000 * 20)

        assert schedule.tick(60, fast) == (60, 10)

    def test_stops_without_a_steady_state_reading(self) -> None:
        schedule = StepSchedule(settings(ramp="auto"))
        schedule.tick(0, steady(0, 0))

        assert schedule.tick(60, steady(1000, 10)) is None
        assert schedule.last_decision == Decision(None, "no steady-state counters for 40 users")

    def test_growth_is_capped_by_what_a_step_can_absorb(self) -> None:
        schedule = StepSchedule(settings(ramp="auto:70", spawn_rate="5"))
        # (60 / 2 - 15) s * 5 users/s = 75 users per step at most: 70, 105, 158, then
        # 158 + 75 = 233 instead of +50 % (237).
        users = [schedule.tick(t, steady(t * 10, 10)) for t in range(0, 190, 10)]

        assert [u[0] for u in users if u is not None] == [70] * 6 + [105] * 6 + [158] * 6 + [233]


class TestDecision:
    def decide(
        self,
        users: int = 40,
        *,
        steps_done: int = 1,
        totals: Totals | None = None,
        max_change: int = 10_000,
    ) -> Decision:
        return decide_next_step(
            users=users,
            steps_done=steps_done,
            steady=totals or steady(1000, 50),
            max_users=2000,
            max_steps=12,
            slo_ms=100,
            max_change=max_change,
        )

    @pytest.mark.parametrize(("users", "expected"), [(40, 60), (60, 90), (135, 203), (1, 2)])
    def test_grows_by_half(self, users: int, expected: int) -> None:
        assert self.decide(users).next_users == expected

    def test_slo_is_on_the_average(self) -> None:
        assert self.decide(totals=steady(1000, 100)).next_users == 60
        assert self.decide(totals=steady(1000, 100.1)).next_users is None

    def test_errors_above_one_percent_stop(self) -> None:
        assert self.decide(totals=steady(1000, 50, failures=10)).next_users == 60
        stop = self.decide(totals=steady(1000, 50, failures=11))
        assert stop.next_users is None
        assert "errors above 1%" in stop.reason

    def test_no_requests_stop(self) -> None:
        assert self.decide(totals=Totals(0, 0, 0)).next_users is None

    def test_limits(self) -> None:
        assert self.decide(1800).next_users == 2000
        assert self.decide(2000).next_users is None
        assert self.decide(steps_done=11).next_users == 60
        assert "AUTO_MAX_STEPS=12" in self.decide(steps_done=12).reason
        assert self.decide(400, max_change=150).next_users == 550


def test_journal_writes_each_step_when_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "raw" / "steps.jsonl"
    journal = StepJournal(path)

    journal.observe(index=0, users=40, at=100.0)
    journal.observe(index=0, users=40, at=101.0)
    assert not path.exists()
    journal.observe(index=1, users=50, at=160.5)
    first = [json.loads(line) for line in path.read_text().splitlines()]
    journal.close(at=220.25)
    journal.close(at=230.0)

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert first == [{"index": 0, "users": 40, "start": 100.0, "end": 160.5}]
    assert lines == [*first, {"index": 1, "users": 50, "start": 160.5, "end": 220.25}]


class TestEncore:
    """PROFILE=1: one more step after the ramp, at the last step that held the SLO."""

    def test_a_fixed_ramp_gets_an_encore_at_the_last_step_within_the_slo(self) -> None:
        schedule = StepSchedule(settings(ramp="40 50 60", profile="1"))
        # Steady from 19 s, 76 s, 136 s; ends at 60, 120, 180 s.
        assert schedule.tick(0, steady(0, 0)) == (40, 10)
        assert schedule.tick(19, steady(0, 0)) == (40, 10)
        assert schedule.tick(60, steady(1000, 50)) == (50, 10)
        assert schedule.tick(76, steady(1000, 50)) == (50, 10)
        assert schedule.tick(120, steady(2000, 70)) == (60, 10)  # 1000 at 90 ms: within
        assert schedule.tick(136, steady(2000, 70)) == (60, 10)
        assert not schedule.in_encore
        assert schedule.tick(180, steady(3000, 100)) == (50, 10)  # 1000 at 160 ms: broke it
        assert schedule.in_encore and schedule.encore_index == 3
        assert schedule.tick(239, steady(3000, 100)) == (50, 10)
        assert schedule.tick(240, steady(3000, 100)) is None

    def test_profile_step_chooses_the_users_and_auto_ramps_get_one_too(self) -> None:
        schedule = StepSchedule(settings(ramp="auto", profile="1", profile_step="45"))
        schedule.tick(0, steady(0, 0))
        schedule.tick(19, steady(0, 0))
        assert schedule.tick(60, steady(1000, 150)) == (45, 10)  # the SLO broke at 40 users
        assert schedule.in_encore

    def test_without_a_step_within_the_slo_the_encore_takes_the_first(self) -> None:
        schedule = StepSchedule(settings(ramp="40 50", profile="1"))
        schedule.tick(0, steady(0, 0))
        schedule.tick(19, steady(0, 0))
        schedule.tick(60, steady(1000, 500))
        schedule.tick(76, steady(1000, 500))
        assert schedule.tick(120, steady(2000, 500)) == (40, 10)

    def test_the_encore_window_is_announced_in_epoch_seconds(self) -> None:
        schedule = StepSchedule(settings(ramp="40 50", profile="1"))
        schedule.tick(0, steady(0, 0))
        schedule.tick(60, steady(0, 0))
        schedule.tick(120, steady(0, 0))  # no counters: the encore falls back to 40 users
        assert schedule.in_encore
        # 10 users to stop at 10/s, then the 15 s settle; the step lasts 60 s.
        assert schedule.steady_window(5000.0) == (5016.0, 5060.0)

    def test_the_journal_marks_the_encore(self, tmp_path: Path) -> None:
        journal = StepJournal(tmp_path / "steps.jsonl")
        assert journal.observe(index=0, users=40, at=1.0)
        assert not journal.observe(index=0, users=40, at=2.0)
        journal.observe(index=1, users=40, at=61.0, encore=True)
        journal.close(at=121.0)
        lines = [json.loads(line) for line in (tmp_path / "steps.jsonl").read_text().splitlines()]
        assert "encore" not in lines[0] and lines[1]["encore"] is True
