from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts.harness.stats import latency, nearest_rank, rate


def test_nearest_rank_of_one_to_one_hundred_is_the_rank_itself() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [nearest_rank(values, p) for p in (1, 50, 95, 99, 100)] == [1, 50, 95, 99, 100]


def test_nearest_rank_rounds_the_rank_up_never_interpolates() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    # ranks ceil(0.05*5)=1, ceil(1.5)=2, ceil(2.0)=2, ceil(2.5)=3, ceil(5)=5
    assert [nearest_rank(values, p) for p in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]


def test_fractional_percentile_rank_is_exact() -> None:
    values = [float(v) for v in range(1, 41001)]
    # 99.9 % of 41000 is exactly rank 40959; 99.9 * 41000 / 100 in floats is 40959.00000000001.
    assert nearest_rank(values, 99.9) == 40959


@pytest.mark.parametrize("pct", [0, -1, 100.01])
def test_percentile_outside_range_is_refused(pct: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        nearest_rank([1.0], pct)


def test_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 50)


def test_latency_of_unsorted_values() -> None:
    # 20 values: p95 is rank 19, p99 rank 20, p50 rank 10
    values = [float(v) for v in range(20, 0, -1)]
    result = latency(values)
    assert result is not None
    assert (result.avg, result.p50, result.p95, result.p99, result.max) == (10.5, 10, 19, 20, 20)


def test_latency_of_nothing_is_none() -> None:
    assert latency([]) is None


def test_rate_of_an_empty_interval_is_zero() -> None:
    assert rate(10, 0) == 0
    assert rate(30, 12) == 2.5


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=200), st.integers(1, 100))
def test_nearest_rank_is_the_smallest_value_covering_pct_percent(
    values: list[float], pct: int
) -> None:
    ordered = sorted(values)
    result = nearest_rank(ordered, pct)
    n = len(ordered)
    at_or_below = sum(1 for v in ordered if v <= result)
    below = sum(1 for v in ordered if v < result)
    assert result in ordered
    assert at_or_below * 100 >= pct * n
    assert below * 100 < pct * n
