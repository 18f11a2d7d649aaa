"""A session's run order, its name, and when a finished run counts as failed."""

from __future__ import annotations

from typing import Any

from infra.settings import Settings
from scripts.harness.failure import FAILED_STEP_RATIO, failure_reason
from scripts.harness.session import session_name, trial_order


def test_each_trial_rotates_the_apps_so_drift_hits_them_alike() -> None:
    assert trial_order(["django", "fastapi"], 3) == [
        (1, "django"),
        (1, "fastapi"),
        (2, "fastapi"),
        (2, "django"),
        (3, "django"),
        (3, "fastapi"),
    ]
    order = trial_order(["a", "b", "c"], 3)
    assert [app for _, app in order] == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    # Every app holds every place once over as many trials as there are apps.
    for place in range(3):
        assert sorted(order[trial * 3 + place][1] for trial in range(3)) == ["a", "b", "c"]


def test_session_names_say_what_ran() -> None:
    plain = Settings.defaults()
    assert session_name(plain, ["django", "fastapi"], matrix=False) == "bench"
    assert session_name(plain, ["django"], matrix=False) == "bench-django"
    zero = Settings.from_env({"DJANGO_CONN_MAX_AGE": "0"})
    assert session_name(zero, ["django"], matrix=False) == "bench-django-conn-max-age-0"
    labelled = Settings.from_env({"VARIANT": "auto-ramp"})
    assert session_name(labelled, ["django", "fastapi"], matrix=True) == "matrix-auto-ramp"


def summary(steps: list[tuple[int, int]], logins: tuple[int, int] = (10, 0)) -> Any:
    return {
        "login": {"requests": logins[0], "failures": logins[1]},
        "steps": [
            {"requests": r, "failures": f, "fail_ratio": f / r if r else 0.0} for r, f in steps
        ],
    }


def test_a_run_that_measured_a_service_has_not_failed() -> None:
    assert failure_reason(summary([(100, 0), (100, 90)])) is None


def test_runs_of_nothing_but_errors_fail_with_the_reason() -> None:
    assert failure_reason(summary([(100, 0)], logins=(5, 5))) == "all 5 logins failed"
    assert failure_reason(summary([(100, 100), (50, 50)])) == "no request succeeded in any step"
    assert failure_reason(summary([])) == "no request succeeded in any step"
    reason = failure_reason(summary([(100, 60), (100, 90)]))
    assert reason is not None and reason.startswith(
        f"more than {FAILED_STEP_RATIO:.0%} of the requests failed in every step"
    )
