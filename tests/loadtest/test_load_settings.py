from __future__ import annotations

from pathlib import Path

import pytest

from loadtest.settings import LOAD_VARS, AutoRamp, FixedRamp, SettingsError, load_settings
from loadtest.think import ThinkTime


def test_defaults_are_the_documented_ones() -> None:
    settings = load_settings({"BENCH_RUN_ID": "run1"})

    assert settings.ramp == FixedRamp(users=(40, 50, 60, 70, 80))
    assert (settings.step_seconds, settings.settle_seconds, settings.spawn_rate) == (60, 15, 10)
    assert settings.think == ThinkTime(0.25, 0.75)
    assert settings.slo_ms == 100
    assert settings.samples_dir == Path(".run/loadtest")
    assert (settings.user_count, settings.user_password) == (1000, "bench-password")
    assert settings.product_pages == 5
    effective = settings.effective()
    assert set(effective) == {var.name for var in LOAD_VARS}
    assert effective["BENCH_RAMP"] == "40 50 60 70 80"
    assert effective["BENCH_THINK"] == "0.25-0.75"


def test_blank_values_fall_back_to_defaults() -> None:
    assert load_settings({"BENCH_RAMP": "  ", "BENCH_SLO_MS": ""}).slo_ms == 100


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("auto", AutoRamp(start=40, max_users=2000, max_steps=12)),
        ("auto:25", AutoRamp(start=25, max_users=2000, max_steps=12)),
        ("10 20,30", FixedRamp(users=(10, 20, 30))),
        ("60 40", FixedRamp(users=(60, 40))),
    ],
)
def test_ramp_forms(raw: str, expected: object) -> None:
    assert load_settings({"BENCH_RAMP": raw}).ramp == expected


def test_auto_limits_are_read() -> None:
    settings = load_settings(
        {"BENCH_RAMP": "auto:5", "BENCH_AUTO_MAX_USERS": "50", "BENCH_AUTO_MAX_STEPS": "3"}
    )
    assert settings.ramp == AutoRamp(start=5, max_users=50, max_steps=3)
    assert settings.effective()["BENCH_AUTO_MAX_USERS"] == "50"


def test_run_id_is_random_unless_given() -> None:
    assert load_settings({}).run_id != load_settings({}).run_id
    assert (
        load_settings({"BENCH_RUN_ID": "20261125T1726-fastapi_2"}).run_id
        == "20261125T1726-fastapi_2"
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BENCH_RAMP": "40 fifty"}, "BENCH_RAMP"),
        ({"BENCH_RAMP": "40 0"}, "BENCH_RAMP"),
        ({"BENCH_RAMP": "auto:x"}, "BENCH_RAMP"),
        ({"BENCH_RAMP": "auto:0"}, "BENCH_RAMP"),
        ({"BENCH_RAMP": "auto:60", "BENCH_AUTO_MAX_USERS": "50"}, "BENCH_AUTO_MAX_USERS"),
        ({"BENCH_AUTO_MAX_USERS": "0"}, "BENCH_AUTO_MAX_USERS"),
        ({"BENCH_AUTO_MAX_STEPS": "-1"}, "BENCH_AUTO_MAX_STEPS"),
        ({"BENCH_STEP_SECONDS": "0"}, "BENCH_STEP_SECONDS"),
        ({"BENCH_STEP_SECONDS": "nan"}, "BENCH_STEP_SECONDS"),
        ({"BENCH_SETTLE_SECONDS": "-1"}, "BENCH_SETTLE_SECONDS"),
        ({"BENCH_SPAWN_RATE": "0"}, "BENCH_SPAWN_RATE"),
        ({"BENCH_THINK": "0.75-0.25"}, "BENCH_THINK"),
        ({"BENCH_THINK": "-1"}, "BENCH_THINK"),
        ({"BENCH_THINK": "soon"}, "BENCH_THINK"),
        ({"BENCH_SLO_MS": "0"}, "BENCH_SLO_MS"),
        ({"BENCH_USER_COUNT": "1.5"}, "BENCH_USER_COUNT"),
        ({"BENCH_PRODUCT_PAGES": "0"}, "BENCH_PRODUCT_PAGES"),
        ({"BENCH_RUN_ID": "has space"}, "BENCH_RUN_ID"),
        ({"BENCH_RUN_ID": "x" * 41}, "BENCH_RUN_ID"),
    ],
)
def test_invalid_values_fail_with_one_line_naming_the_variable(
    env: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert named in message
    assert "\n" not in message


def test_settle_must_leave_half_the_step_to_measure() -> None:
    with pytest.raises(SettingsError, match="BENCH_SETTLE_SECONDS must be under half"):
        load_settings({"BENCH_STEP_SECONDS": "20", "BENCH_SETTLE_SECONDS": "10"})


def test_a_step_whose_spawn_would_eat_the_step_is_refused() -> None:
    # (60 / 2 - 15) s * 10 users/s = 150 users is the most one step can add.
    assert load_settings({"BENCH_RAMP": "150 300"}).max_users_change == 150
    with pytest.raises(SettingsError, match="step 1 changes users by 151"):
        load_settings({"BENCH_RAMP": "150 301"})
    with pytest.raises(SettingsError, match="step 0 changes users by 151"):
        load_settings({"BENCH_RAMP": "auto:151"})
    assert load_settings({"BENCH_RAMP": "151", "BENCH_SPAWN_RATE": "20"}).ramp == FixedRamp((151,))
