"""PNG charts of repeated trials: medians with their 95 % intervals and min-max spreads.

Each configuration gets one colour: a line through the per-step medians, a light band
from the smallest to the largest trial, and error bars for the t interval of the mean,
drawn at the mean because that is what the interval is about. Like charts.py, figures
are built with matplotlib's object API and returned as PNG bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.typing import ColorType

from scripts.harness.charts import SIZE, _png, _slo_line
from scripts.harness.fmt import think_text
from scripts.harness.interval import FigureStats
from scripts.harness.trials import Aggregate, headline_figure
from scripts.harness.verdict import FIGURE_TEXT, HEADLINE

NAN = math.nan
View = tuple[str, Aggregate]  # (label, aggregate)


def trials_rps_chart(views: Sequence[View]) -> bytes:
    """Per-step req/s across trials, one colour per configuration."""
    fig = Figure(figsize=SIZE, layout="constrained")
    ax = fig.subplots()
    for i, (label, agg) in enumerate(views):
        _draw(ax, agg, "rps", label=label, shift=_dodge(views, i))
    _decorate(ax, views, "requests per second", "throughput")
    return _png(fig)


def trials_latency_chart(views: Sequence[View]) -> bytes:
    """Per-step average (solid) and p95 (dashed) across trials, the SLO dashed in red."""
    fig = Figure(figsize=SIZE, layout="constrained")
    ax = fig.subplots()
    for i, (label, agg) in enumerate(views):
        shift = _dodge(views, i)
        colour = _draw(ax, agg, "avg_ms", label=f"{label} average", shift=shift)
        _draw(ax, agg, "p95_ms", label=f"{label} p95", colour=colour, linestyle="--", shift=shift)
    _slo_line(ax, views[0][1]["slo_ms"])
    _decorate(ax, views, "response time (ms)", "latency")
    return _png(fig)


def headline_chart(views: Sequence[View], *, figure: str = HEADLINE) -> bytes:
    """One bar per configuration at the median, its interval as a whisker, each trial a dot."""
    fig = Figure(figsize=SIZE, layout="constrained")
    ax = fig.subplots()
    for x, (label, agg) in enumerate(views):
        stats = headline_figure(agg, figure)
        ax.bar(x, _or_nan(stats["median"]), width=0.6, alpha=0.6, label=label)
        _whisker(ax, [float(x)], [stats], "black")
        trials = [v for v in stats["values"] if v is not None]
        ax.scatter([x] * len(trials), trials, color="black", s=14, zorder=3)
    ax.set_xticks(range(len(views)), [label for label, _ in views])
    ax.set_ylabel(FIGURE_TEXT[figure])
    ax.set_ylim(bottom=0)
    ax.grid(True, axis="y", alpha=0.3)
    counts = ", ".join(f"{label} {len(agg['trials'])}" for label, agg in views)
    ax.set_title(
        f"{FIGURE_TEXT[figure]}: median (bar), 95 % CI of the mean (whisker), "
        f"trials (dots)\ntrials: {counts}",
        fontsize=10,
    )
    return _png(fig)


def _draw(
    ax: Axes,
    agg: Aggregate,
    key: str,
    *,
    label: str,
    colour: ColorType | None = None,
    linestyle: str = "-",
    shift: float = 0.0,
) -> ColorType:
    """Median line, min-max band and interval bars of one figure; returns the line colour."""
    users = [float(s["users"]) for s in agg["steps"]]
    stats = [s["figures"][key] for s in agg["steps"]]
    (line,) = ax.plot(
        users,
        [_or_nan(f["median"]) for f in stats],
        marker="o",
        linestyle=linestyle,
        color=colour,
        label=f"{label} (median)",
    )
    colour = line.get_color()
    ax.fill_between(
        users,
        [_or_nan(f["min"]) for f in stats],
        [_or_nan(f["max"]) for f in stats],
        color=colour,
        alpha=0.12,
        linewidth=0,
    )
    _whisker(ax, [u + shift for u in users], stats, colour)
    return colour


def _dodge(views: Sequence[View], index: int) -> float:
    """A small sideways shift per configuration, so error bars at one step do not overlap."""
    users = [s["users"] for _, agg in views for s in agg["steps"]]
    span = max(users, default=0) - min(users, default=0)
    return (index - (len(views) - 1) / 2) * 0.012 * span


def _whisker(
    ax: Axes, xs: Sequence[float], stats: Sequence[FigureStats], colour: ColorType
) -> None:
    """The t interval of the mean as an error bar centred on the mean, where there is one."""
    points = [
        (x, f["mean"], f["ci_low"], f["ci_high"])
        for x, f in zip(xs, stats, strict=True)
        if f["mean"] is not None and f["ci_low"] is not None and f["ci_high"] is not None
    ]
    if not points:
        return
    ax.errorbar(
        [p[0] for p in points],
        [p[1] for p in points],
        yerr=[[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]],
        fmt="none",
        ecolor=colour,
        capsize=4,
        linewidth=1.2,
    )


def _decorate(ax: Axes, views: Sequence[View], ylabel: str, what: str) -> None:
    first = views[0][1]
    ax.set_xlabel("users")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    labels = " vs ".join(label for label, _ in views)
    trials = "/".join(str(len(agg["trials"])) for _, agg in views)
    think = think_text(first["method"].get("think"))
    ax.set_title(
        f"{labels}: {what} per step over {trials} trials\n"
        f"median, min-max band, 95 % CI of the mean (bars); think {think}",
        fontsize=10,
    )


def _or_nan(value: float | None) -> float:
    return NAN if value is None else value
