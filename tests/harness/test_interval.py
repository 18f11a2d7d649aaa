from __future__ import annotations

import math
import statistics

import pytest
from scipy import stats

from scripts.harness.interval import (
    MAX_TRIALS_ESTIMATE,
    describe,
    half_width_ratio,
    log_ratio_interval,
    t_interval,
    t_quantile,
    trials_for_half_width,
    trials_to_resolve,
)


def test_t_quantiles_are_the_textbook_values() -> None:
    assert t_quantile(1) == pytest.approx(12.706, abs=1e-3)
    assert t_quantile(2) == pytest.approx(4.303, abs=1e-3)
    assert t_quantile(4) == pytest.approx(2.776, abs=1e-3)


def test_three_trials_by_hand() -> None:
    # mean 240, sd sqrt(((-10)^2 + 0 + 10^2) / 2) = 10, half width 4.303 * 10 / sqrt(3) = 24.84
    figure = describe([230.0, 250.0, 240.0])
    assert figure == {
        "values": [230.0, 250.0, 240.0],
        "n": 3,
        "median": 240.0,
        "mean": 240.0,
        "sd": 10.0,
        "min": 230.0,
        "max": 250.0,
        "ci_low": 215.16,
        "ci_high": 264.84,
    }


def test_the_interval_matches_scipy() -> None:
    values = [155.9, 162.6, 158.0, 160.1, 157.3]
    low, high = stats.t.interval(
        0.95, len(values) - 1, loc=statistics.fmean(values), scale=stats.sem(values)
    )
    assert t_interval(values) == pytest.approx((low, high))


def test_one_trial_has_no_interval() -> None:
    figure = describe([233.7])
    assert (figure["n"], figure["median"], figure["min"], figure["max"]) == (1, 233.7, 233.7, 233.7)
    assert (figure["sd"], figure["ci_low"], figure["ci_high"]) == (None, None, None)
    assert half_width_ratio(figure) is None
    assert trials_for_half_width(figure) is None


def test_two_trials_give_the_wide_interval_t_with_one_degree_of_freedom_gives() -> None:
    figure = describe([100.0, 110.0])
    half = 12.706 * statistics.stdev([100.0, 110.0]) / math.sqrt(2)
    assert figure["ci_low"] == pytest.approx(105 - half, abs=0.01)
    assert figure["ci_high"] == pytest.approx(105 + half, abs=0.01)


def test_identical_trials_give_a_zero_width_interval() -> None:
    figure = describe([90.0, 90.0, 90.0])
    assert (figure["sd"], figure["ci_low"], figure["ci_high"]) == (0.0, 90.0, 90.0)
    assert half_width_ratio(figure) == 0.0
    assert trials_for_half_width(figure) == 2


def test_missing_figures_are_counted_out_but_kept_in_place() -> None:
    figure = describe([None, 10.0, None, 20.0])
    assert figure["values"] == [None, 10.0, None, 20.0]
    assert (figure["n"], figure["median"]) == (2, 15.0)
    empty = describe([None, None])
    assert (empty["n"], empty["median"], empty["mean"], empty["ci_low"]) == (0, None, None, None)


def test_half_width_is_measured_from_the_median() -> None:
    figure = describe([100.0, 101.0, 120.0])  # skewed: the median sits low in the interval
    assert figure["ci_high"] is not None
    assert half_width_ratio(figure) == pytest.approx((figure["ci_high"] - 101.0) / 101.0)


def test_trials_for_half_width_is_the_first_count_that_reaches_the_target() -> None:
    figure = describe([230.0, 250.0, 240.0])  # sd 10 around 240: +-5 % is 12
    needed = trials_for_half_width(figure, 0.05)
    assert needed == 6
    assert t_quantile(5) * 10 / math.sqrt(6) <= 12 < t_quantile(4) * 10 / math.sqrt(5)
    noisy = describe([50.0, 150.0, 100.0])
    assert trials_for_half_width(noisy, 0.01) == MAX_TRIALS_ESTIMATE + 1


def test_ratio_interval_is_welch_on_the_logarithms() -> None:
    a, b = [233.7, 249.0, 240.1], [155.9, 162.6, 158.0, 150.2]
    result = log_ratio_interval(a, b)
    assert result is not None
    welch = stats.ttest_ind([math.log(v) for v in a], [math.log(v) for v in b], equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert (result.low, result.high) == pytest.approx((math.exp(low), math.exp(high)))
    assert result.df == pytest.approx(welch.df)
    assert result.ratio == pytest.approx(
        statistics.geometric_mean(a) / statistics.geometric_mean(b)
    )


def test_ratio_interval_needs_two_trials_a_side_and_positive_figures() -> None:
    assert log_ratio_interval([1.0], [1.0, 2.0]) is None
    with pytest.raises(ValueError, match="positive"):
        log_ratio_interval([0.0, 1.0], [1.0, 2.0])


def test_ratio_without_any_spread_has_a_point_interval() -> None:
    result = log_ratio_interval([200.0, 200.0], [100.0, 100.0])
    assert result is not None
    assert (result.ratio, result.low, result.high, result.df) == pytest.approx((2, 2, 2, None))


def test_trials_to_resolve_is_where_the_interval_would_stop_including_one() -> None:
    a, b = [150.0, 160.0, 155.0], [152.0, 158.0, 149.0]
    interval = log_ratio_interval(a, b)
    assert interval is not None and interval.low < 1 < interval.high
    needed = trials_to_resolve(a, b)
    assert needed is not None and 3 < needed <= MAX_TRIALS_ESTIMATE
    log_a, log_b = [math.log(v) for v in a], [math.log(v) for v in b]
    diff = statistics.fmean(log_a) - statistics.fmean(log_b)
    var = statistics.variance(log_a) + statistics.variance(log_b)

    def half(n: int) -> float:
        va, vb = statistics.variance(log_a) / n, statistics.variance(log_b) / n
        df = (va + vb) ** 2 / ((va**2 + vb**2) / (n - 1))
        return t_quantile(df) * math.sqrt(var / n)

    assert half(needed) < abs(diff) <= half(needed - 1)
    assert trials_to_resolve([100.0, 110.0], [100.0, 110.0]) is None  # no difference at all
    assert trials_to_resolve([100.0], [100.0, 110.0]) is None
