"""Figures over a handful of repeated trials: median, spread and a 95 % interval.

Why a Student-t interval of the mean, and not a bootstrap. A configuration gets 2 to 5
trials within a sensible benchmark budget, and at that size:

- A percentile bootstrap of the median can only return medians of resamples of the
  observed values, so its interval is about [min, max]. The chance that the true median
  lies between the smallest and the largest of n values is 1 - 2**(1 - n): 75 % for
  n = 3, 94 % for n = 5. Labelled "95 %" it would overstate what the trials show; BCa
  needs far more trials to estimate its corrections.
- The distribution-free interval of the median (order statistics, the sign test) needs
  n >= 6 before any interval reaches 95 %.
- The t interval of the mean is defined from n = 2 and is honest about how little a few
  trials say: it is wide (t(0.975, 1) = 12.7, t(0.975, 2) = 4.30, t(0.975, 4) = 2.78).
  It assumes a trial's figure varies roughly normally around the configuration's true
  value, which is plausible for req/s and the average (each is a mean over thousands of
  requests in a steady window), less so for p95/p99, and poor for a figure read off a
  step grid (the knee, or the most req/s within the SLO when trials peak at different
  steps): the per-trial values are kept so a reader can see that.

So every figure reports the median and the min-max spread (what was seen) next to the
t interval of the mean (what it implies). Comparing two configurations uses Welch's t on
the logarithms (`log_ratio_interval`): a ratio ("48 % higher") is the statement readers
want, logs make its interval exact for positive figures without treating either side as
known, and Welch does not assume the two apps spread alike. Checking whether two
intervals overlap is not a test (two 95 % intervals can overlap while the difference is
clear), so verdicts use the interval of the ratio itself.

SciPy supplies the t quantiles; means, deviations and the Welch degrees of freedom are a
few lines of arithmetic here, because scipy.stats.ttest_ind warns (an error under pytest)
on the nearly identical values repeated trials legitimately produce.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from scipy import stats

CONFIDENCE = 0.95
METHOD = "Student-t 95 % interval of the mean over trials"
RATIO_METHOD = "Welch's t on the logarithms (ratio of geometric means)"
TARGET_HALF_WIDTH = 0.05  # the target: the interval within +-5 % of the median
MAX_TRIALS_ESTIMATE = 100  # beyond this an estimate says "more than", not a number


class FigureStats(TypedDict):
    values: list[float | None]  # one per trial, in trial order; None: no figure there
    n: int  # trials with a figure
    median: float | None
    mean: float | None
    sd: float | None  # sample standard deviation (n - 1); None below 2 trials
    min: float | None
    max: float | None
    ci_low: float | None  # the t interval of the mean; None below 2 trials
    ci_high: float | None


def t_quantile(df: float) -> float:
    """The two-sided 95 % critical value of Student's t with `df` degrees of freedom."""
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, df))


def describe(values: Sequence[float | None]) -> FigureStats:
    """n, median, mean, sd, min, max and the t interval of the figures that exist."""
    present = [float(v) for v in values if v is not None]
    interval = t_interval(present)
    return {
        "values": [None if v is None else float(v) for v in values],
        "n": len(present),
        "median": _r(statistics.median(present)) if present else None,
        "mean": _r(statistics.fmean(present)) if present else None,
        "sd": _r(statistics.stdev(present)) if len(present) > 1 else None,
        "min": _r(min(present)) if present else None,
        "max": _r(max(present)) if present else None,
        "ci_low": None if interval is None else _r(interval[0]),
        "ci_high": None if interval is None else _r(interval[1]),
    }


def t_interval(values: Sequence[float]) -> tuple[float, float] | None:
    """The 95 % t interval of the mean; None for fewer than 2 values."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    half = t_quantile(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean - half, mean + half


def half_width_ratio(figure: FigureStats) -> float | None:
    """How far the interval reaches from the median, as a fraction of the median."""
    median, low, high = figure["median"], figure["ci_low"], figure["ci_high"]
    if median is None or low is None or high is None or median == 0:
        return None
    return max(median - low, high - median) / abs(median)


def trials_for_half_width(figure: FigureStats, target: float = TARGET_HALF_WIDTH) -> int | None:
    """Trials needed for the interval to reach within `target` of the median, at this spread.

    Assumes the next trials spread like these (the sample sd is itself rough at n = 3).
    None when it cannot be estimated (under 2 trials, median 0); MAX_TRIALS_ESTIMATE + 1
    when more than MAX_TRIALS_ESTIMATE would be needed.
    """
    median, sd = figure["median"], figure["sd"]
    if median is None or sd is None or median == 0:
        return None
    for n in range(2, MAX_TRIALS_ESTIMATE + 1):
        if t_quantile(n - 1) * sd / math.sqrt(n) <= target * abs(median):
            return n
    return MAX_TRIALS_ESTIMATE + 1


@dataclass(frozen=True)
class RatioInterval:
    """a / b as a ratio of geometric means, with its 95 % interval."""

    ratio: float
    low: float
    high: float
    df: float | None  # Welch's degrees of freedom; None when neither side spread at all


def log_ratio_interval(a: Sequence[float], b: Sequence[float]) -> RatioInterval | None:
    """Welch's 95 % interval for a / b on the logarithms; None below 2 values a side.

    Raises ValueError for a figure that is not positive (no logarithm).
    """
    if len(a) < 2 or len(b) < 2:
        return None
    if any(v <= 0 for v in (*a, *b)):
        raise ValueError("a ratio needs positive figures")
    log_a, log_b = [math.log(v) for v in a], [math.log(v) for v in b]
    diff = statistics.fmean(log_a) - statistics.fmean(log_b)
    var_a, var_b = _var_of_mean(log_a), _var_of_mean(log_b)
    if var_a + var_b == 0:
        # No spread on either side: the data give no noise to weigh the difference against.
        return RatioInterval(math.exp(diff), math.exp(diff), math.exp(diff), None)
    df = _welch_df(var_a, len(a), var_b, len(b))
    half = t_quantile(df) * math.sqrt(var_a + var_b)
    return RatioInterval(math.exp(diff), math.exp(diff - half), math.exp(diff + half), df)


def trials_to_resolve(a: Sequence[float], b: Sequence[float]) -> int | None:
    """Trials per side for the ratio's interval to exclude 1, if spread and ratio stay put.

    A rough planning figure (about even odds of telling a real difference of this size),
    not a power analysis. None when it cannot be estimated (under 2 values a side, no
    spread, or no difference at all); MAX_TRIALS_ESTIMATE + 1 beyond MAX_TRIALS_ESTIMATE.
    """
    if len(a) < 2 or len(b) < 2 or any(v <= 0 for v in (*a, *b)):
        return None
    log_a, log_b = [math.log(v) for v in a], [math.log(v) for v in b]
    diff = abs(statistics.fmean(log_a) - statistics.fmean(log_b))
    var_a, var_b = statistics.variance(log_a), statistics.variance(log_b)
    if diff == 0 or var_a + var_b == 0:
        return None
    for n in range(max(len(a), len(b)), MAX_TRIALS_ESTIMATE + 1):
        df = _welch_df(var_a / n, n, var_b / n, n)
        if t_quantile(df) * math.sqrt((var_a + var_b) / n) < diff:
            return n
    return MAX_TRIALS_ESTIMATE + 1


def _var_of_mean(values: Sequence[float]) -> float:
    return statistics.variance(values) / len(values)


def _welch_df(var_mean_a: float, n_a: int, var_mean_b: float, n_b: int) -> float:
    """Welch-Satterthwaite degrees of freedom from the variances of the two means."""
    return (var_mean_a + var_mean_b) ** 2 / (var_mean_a**2 / (n_a - 1) + var_mean_b**2 / (n_b - 1))


def _r(value: float) -> float:
    return round(value, 2)
