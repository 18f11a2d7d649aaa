"""PNG charts of one run and of several runs side by side, rendered without a display.

Figures are built with matplotlib's object API (no pyplot), so there is no global state
and no interactive backend: each function returns PNG bytes for an atomic write.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from scripts.harness.fmt import think_text
from scripts.harness.summary import StepRow, Summary
from scripts.harness.timeline import Timeline

NAN = math.nan
SIZE = (8.0, 4.5)


def latency_chart(summary: Summary) -> bytes:
    """Average and p95 against users, the SLO dashed, invalid steps crossed out."""
    fig = Figure(figsize=SIZE, layout="constrained")
    ax = fig.subplots()
    steps = summary["steps"]
    users = [s["users"] for s in steps]
    ax.plot(users, _values(steps, "avg_ms"), marker="o", label="average")
    ax.plot(users, _values(steps, "p95_ms"), marker="s", label="p95")
    _mark_invalid(ax, steps, "avg_ms")
    _mark_invalid(ax, steps, "p95_ms", label=None)
    _slo_line(ax, summary["slo_ms"])
    _decorate(ax, summary, "response time (ms)", "latency")
    return _png(fig)


def rps_chart(summary: Summary) -> bytes:
    fig = Figure(figsize=SIZE, layout="constrained")
    ax = fig.subplots()
    steps = summary["steps"]
    ax.plot([s["users"] for s in steps], _values(steps, "rps"), marker="o", label="requests/s")
    _mark_invalid(ax, steps, "rps")
    _decorate(ax, summary, "requests per second", "throughput")
    return _png(fig)


def timeline_chart(timeline: Timeline, summary: Summary) -> bytes:
    """Per-second load, rolling p95 and CPU over the whole run, step boundaries marked."""
    fig = Figure(figsize=(10.0, 8.0), layout="constrained")
    load, latency, cpu = fig.subplots(3, 1, sharex=True)
    load.plot(timeline.seconds, timeline.rps, linewidth=0.8, label="requests/s")
    load.set_ylabel("requests/s")
    users = load.twinx()
    end = float(len(timeline.rps))
    users.step(
        [*timeline.step_starts, end],
        [*timeline.users, timeline.users[-1]],
        where="post",
        color="tab:gray",
        label="users",
    )
    users.set_ylabel("users")
    latency.plot(
        timeline.seconds,
        [NAN if v is None else v for v in timeline.rolling_p95_ms],
        color="tab:orange",
        linewidth=0.8,
        label=f"p95 over trailing {timeline.rolling_seconds} s",
    )
    _slo_line(latency, summary["slo_ms"])
    latency.set_ylabel("ms")
    for group, (xs, ys) in timeline.cpu.items():
        cpu.plot(xs, ys, linewidth=0.8, label=_CPU_LABELS.get(group, group))
    cpu.set_ylabel("CPU % of one core")
    cpu.set_xlabel("seconds since the first step")
    for ax in (load, latency, cpu):
        for x in timeline.step_starts:
            ax.axvline(x, color="tab:gray", linestyle=":", linewidth=0.8)
        for i, step in enumerate(summary["steps"]):
            ax.axvspan(
                step["window_start"] - timeline.origin,
                step["window_end"] - timeline.origin,
                color="tab:green",
                alpha=0.07,
                label="steady state (measured)" if i == 0 and ax is load else None,
            )
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize="small")
    fig.suptitle(f"{_title(summary)}: timeline (think {think_text(summary['think'])})")
    return _png(fig)


def comparison_latency_chart(runs: Sequence[tuple[str, Summary]]) -> bytes:
    """Average (solid) and p95 (dashed) against users, one colour per run."""
    fig = Figure(figsize=SIZE, layout="constrained")
    ax = fig.subplots()
    for label, summary in runs:
        steps = summary["steps"]
        users = [s["users"] for s in steps]
        (line,) = ax.plot(users, _values(steps, "avg_ms"), marker="o", label=f"{label} average")
        ax.plot(
            users,
            _values(steps, "p95_ms"),
            marker="s",
            linestyle="--",
            color=line.get_color(),
            label=f"{label} p95",
        )
    _slo_line(ax, runs[0][1]["slo_ms"])
    _decorate(ax, runs[0][1], "response time (ms)", "latency", title=_joint_title(runs))
    return _png(fig)


def comparison_rps_chart(runs: Sequence[tuple[str, Summary]]) -> bytes:
    fig = Figure(figsize=SIZE, layout="constrained")
    ax = fig.subplots()
    for label, summary in runs:
        steps = summary["steps"]
        ax.plot([s["users"] for s in steps], _values(steps, "rps"), marker="o", label=label)
    _decorate(ax, runs[0][1], "requests per second", "throughput", title=_joint_title(runs))
    return _png(fig)


_CPU_LABELS = {
    "app": "app",
    "db": "database",
    "nginx": "nginx",
    "loadgen_max": "busiest Locust process",
}


def _values(steps: Sequence[Mapping[str, object]], key: str) -> list[float]:
    """One float per step; NaN (a gap in the line) where the step has no figure."""
    values = []
    for step in steps:
        value = step[key]
        values.append(float(value) if isinstance(value, int | float) else NAN)
    return values


def _mark_invalid(
    ax: Axes, steps: Sequence[StepRow], key: str, label: str | None = "invalid step"
) -> None:
    bad = [s for s in steps if not s["valid"]]
    if bad:
        ax.scatter(
            [s["users"] for s in bad],
            _values(bad, key),
            marker="x",
            s=120,
            color="tab:red",
            zorder=3,
            label=label,
        )


def _slo_line(ax: Axes, slo_ms: float) -> None:
    ax.axhline(slo_ms, color="tab:red", linestyle="--", linewidth=1, label=f"SLO {slo_ms:g} ms")


def _title(summary: Summary) -> str:
    variant = summary.get("variant")
    return f"{summary['app']} ({variant})" if variant else summary["app"]


def _joint_title(runs: Sequence[tuple[str, Summary]]) -> str:
    return " vs ".join(label for label, _ in runs)


def _decorate(ax: Axes, summary: Summary, ylabel: str, what: str, title: str | None = None) -> None:
    ax.set_xlabel("users")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    # Two lines: long run labels (CONN_MAX_AGE=60 vs CONN_MAX_AGE=0) must not be clipped.
    ax.set_title(
        f"{title or _title(summary)}: {what} per step\n"
        f"think {think_text(summary['think'])}, {summary['step_seconds']:g} s steps",
        fontsize=10,
    )


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
