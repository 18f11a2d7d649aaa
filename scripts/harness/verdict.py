"""Whether two configurations' headline figures differ by more than the trial-to-trial noise.

The comparison is a ratio of geometric means with Welch's 95 % interval on the logarithms
(interval.py says why). "Larger than the noise" means that interval excludes 1 (no
difference); overlapping per-configuration intervals are not the test.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from scripts.harness.compare import method_differences
from scripts.harness.errors import HarnessError
from scripts.harness.fmt import num
from scripts.harness.interval import (
    MAX_TRIALS_ESTIMATE,
    RatioInterval,
    log_ratio_interval,
    trials_to_resolve,
)
from scripts.harness.trials import Aggregate, headline_figure

HEADLINE = "max_rps_within_slo"
FIGURE_TEXT = {
    "max_rps_within_slo": "most req/s within the SLO",
    "max_rps_within_slo_users": "users at the most req/s within the SLO",
    "knee_avg_users": "knee by the average (users)",
    "knee_p95_users": "knee by the p95 (users)",
}
NO_FIGURE = {  # why a trial has no figure, as a clause
    "max_rps_within_slo": "no valid step was within the SLO",
    "max_rps_within_slo_users": "no valid step was within the SLO",
    "knee_avg_users": "the average never exceeded the SLO within the ramp",
    "knee_p95_users": "the p95 never exceeded the SLO within the ramp",
}


@dataclass(frozen=True)
class Verdict:
    figure: str
    label_a: str
    label_b: str
    n_a: int  # trials with the figure
    n_b: int
    ratio: float | None  # a / b, geometric means over trials; None without figures
    low: float | None  # the ratio's 95 % interval; None below 2 trials a side
    high: float | None
    larger_than_noise: bool | None  # None: cannot tell
    trials_needed: int | None  # per side, if spread and difference stay as observed
    sentence: str


def verdict(
    a: tuple[str, Aggregate], b: tuple[str, Aggregate], *, figure: str = HEADLINE
) -> Verdict:
    """`a` against `b` on one headline figure; HarnessError when they differ in method."""
    (label_a, agg_a), (label_b, agg_b) = a, b
    differences = method_differences(agg_a["method"], agg_b["method"])
    if differences:
        raise HarnessError(
            f"{label_a} and {label_b} differ in method, refusing to compare: "
            + "; ".join(differences)
        )
    if figure not in FIGURE_TEXT:
        raise HarnessError(f"no headline figure {figure!r}; one of {', '.join(FIGURE_TEXT)}")
    values_a, values_b = _values(agg_a, figure), _values(agg_b, figure)
    base = Verdict(
        figure=figure,
        label_a=label_a,
        label_b=label_b,
        n_a=len(values_a),
        n_b=len(values_b),
        ratio=None,
        low=None,
        high=None,
        larger_than_noise=None,
        trials_needed=None,
        sentence="",
    )
    what = FIGURE_TEXT[figure]
    if not values_a or not values_b:
        empty = label_a if not values_a else label_b
        sentence = f"No comparison of the {what}: in every {empty} trial {NO_FIGURE[figure]}."
        return replace(base, sentence=sentence)
    if any(v <= 0 for v in (*values_a, *values_b)):
        return replace(
            base, sentence=f"No comparison of the {what}: a ratio needs figures above 0."
        )
    ratio = _geomean(values_a) / _geomean(values_b)
    head = (
        f"{label_a}'s {what} is {_change(ratio)} {label_b}'s "
        f"(medians {num(statistics.median(values_a))} and {num(statistics.median(values_b))}, "
        f"{_counts(len(values_a), len(values_b))}"
    )
    dropped = _dropped(label_a, agg_a, figure) + _dropped(label_b, agg_b, figure)
    interval = log_ratio_interval(values_a, values_b)
    if interval is None:
        single = [label for label, v in ((label_a, values_a), (label_b, values_b)) if len(v) < 2]
        which = "each" if len(single) == 2 else f"of {single[0]}"
        sentence = (
            f"{head}; one trial {which}: no interval); whether the difference is larger "
            "than the noise needs at least 2 trials of each, 3 or more to be useful."
        )
        return replace(base, ratio=ratio, sentence=sentence + dropped)
    larger = interval.low > 1 or interval.high < 1
    needed = None if larger else trials_to_resolve(values_a, values_b)
    return replace(
        base,
        ratio=ratio,
        low=interval.low,
        high=interval.high,
        larger_than_noise=larger,
        trials_needed=needed,
        sentence=f"{head}; {_interval_tail(interval, larger, needed)}{dropped}",
    )


def _interval_tail(interval: RatioInterval, larger: bool, needed: int | None) -> str:
    """The end of the sentence: the interval, then whether it excludes no difference."""
    if interval.df is None:
        return "no spread at all across trials); " + (
            "the difference is larger than the noise (none was seen)."
            if larger
            else "no difference was seen."
        )
    return f"95 % CI {_signed(interval.low)} to {_signed(interval.high)}); " + (
        "the difference is larger than the noise."
        if larger
        else "within the noise: the interval includes no difference" + _needed(needed) + "."
    )


def verdicts(views: Sequence[tuple[str, Aggregate]], *, figure: str = HEADLINE) -> list[Verdict]:
    """Each configuration after the first against the first."""
    return [verdict(view, views[0], figure=figure) for view in views[1:]]


def _values(aggregate: Aggregate, figure: str) -> list[float]:
    return [v for v in headline_figure(aggregate, figure)["values"] if v is not None]


def _dropped(label: str, aggregate: Aggregate, figure: str) -> str:
    values = headline_figure(aggregate, figure)["values"]
    missing = sum(1 for v in values if v is None)
    if not missing or missing == len(values):
        return ""
    return (
        f" In {missing} of {len(values)} {label} trials {NO_FIGURE[figure]}; "
        "they are left out of this comparison."
    )


def _geomean(values: Sequence[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def _change(ratio: float) -> str:
    change = (ratio - 1) * 100
    if round(change, 1) == 0:
        return "the same as"
    return f"{abs(change):.1f} % {'higher' if change > 0 else 'lower'} than"


def _signed(ratio: float) -> str:
    return f"{(ratio - 1) * 100:+.1f} %"


def _counts(n_a: int, n_b: int) -> str:
    if n_a == n_b:
        return f"{n_a} trial{'s' if n_a != 1 else ''} each"
    return f"{n_a} and {n_b} trials"


def _needed(needed: int | None) -> str:
    if needed is None:
        return ""
    if needed > MAX_TRIALS_ESTIMATE:
        return f"; more than {MAX_TRIALS_ESTIMATE} trials of each would be needed to tell"
    return (
        f"; if the spread and the difference stayed as observed, about {needed} trials of "
        "each would tell"
    )
