from __future__ import annotations

from typing import Any

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.meta import lookup, planned_ramp, require_number


@pytest.mark.parametrize(
    ("ramp", "planned"),
    [
        ([40, 50, 60], [40, 50, 60]),
        ("40 50 60", [40, 50, 60]),
        ("40,50", [40, 50]),
        ("auto:40", None),
    ],
)
def test_planned_ramp_reads_lists_strings_and_auto(ramp: Any, planned: list[int] | None) -> None:
    assert planned_ramp({"ramp": ramp}) == planned


@pytest.mark.parametrize("ramp", [[], [40, -1], [True], "40 fifty", 40, None])
def test_a_bad_ramp_is_refused(ramp: Any) -> None:
    with pytest.raises(HarnessError, match="ramp"):
        planned_ramp({"ramp": ramp})


@pytest.mark.parametrize("value", ["100", True, float("inf"), None])
def test_numbers_must_be_finite_numbers(value: Any) -> None:
    with pytest.raises(HarnessError, match="'slo_ms' must be a number"):
        require_number({"slo_ms": value}, "slo_ms")


def test_numbers_below_their_minimum_are_refused() -> None:
    with pytest.raises(HarnessError, match="'settle_seconds' must be >= 0"):
        require_number({"settle_seconds": -1}, "settle_seconds")
    with pytest.raises(HarnessError, match="missing 'step_seconds'"):
        require_number({}, "step_seconds")


def test_lookup_follows_dotted_paths() -> None:
    meta = {"stack": {"app_server": {"conn_max_age": 0}}, "x": 1}
    assert lookup(meta, "stack.app_server.conn_max_age") == 0
    assert lookup(meta, "stack.nginx.workers") is None
    assert lookup(meta, "x.y", "absent") == "absent"
