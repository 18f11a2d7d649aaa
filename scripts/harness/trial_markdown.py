"""Markdown for repeated trials: one configuration's aggregate, and several side by side.

A cell reads `median (low to high)`: the median over trials, then the Student-t 95 % interval
of the mean. Spreads (min-max) sit in their own columns; `[n=2]` marks a step that only
some trials reached or measured validly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from scripts.harness.fmt import DASH, machine_text, num
from scripts.harness.interval import (
    MAX_TRIALS_ESTIMATE,
    TARGET_HALF_WIDTH,
    FigureStats,
    half_width_ratio,
    trials_for_half_width,
)
from scripts.harness.trials import Aggregate, StepAggregate, step_key
from scripts.harness.verdict import FIGURE_TEXT, HEADLINE, NO_FIGURE, verdicts

TO = " to "  # not a hyphen: it would read as a minus sign next to a negative bound


@dataclass(frozen=True)
class AggregateView:
    """An aggregate as a table shows it: a column label, where it lives, its figures."""

    label: str
    folder: str  # as the reader should find it, e.g. results/20261125T165850Z-trials
    aggregate: Aggregate


def interval_cell(
    figure: FigureStats, *, digits: int = 1, of: int | None = None, upper: float | None = None
) -> str:
    """`233.7 (228.1 to 240.2)`; `(one trial)` without an interval; `[n=2]` when n < `of`.

    The interval is shown from 0, and up to `upper` where the figure has a ceiling (a
    percentage of requests)."""
    if figure["median"] is None:
        return DASH
    text = num(figure["median"], digits)
    if figure["ci_low"] is None or figure["ci_high"] is None:
        text += " (one trial)"
    else:
        # Every figure here is a count, a rate or a time: an interval reaching below zero
        # is shown from zero.
        low = max(0.0, figure["ci_low"])
        high = figure["ci_high"] if upper is None else min(upper, figure["ci_high"])
        text += f" ({num(low, digits)}{TO}{num(high, digits)})"
    if of is not None and figure["n"] < of:
        text += f" [n={figure['n']}]"
    return text


def spread_cell(figure: FigureStats, *, digits: int = 1) -> str:
    if figure["min"] is None or figure["max"] is None:
        return DASH
    return f"{num(figure['min'], digits)}{TO}{num(figure['max'], digits)}"


def target_sentence(figure: FigureStats, target: float = TARGET_HALF_WIDTH) -> str:
    """Whether the interval lies within +-`target` of the median, or how many trials would."""
    goal = f"within ±{target * 100:g} % of the median"
    ratio = half_width_ratio(figure)
    if ratio is None:
        return f"one trial: no interval, so not yet {goal}"
    if ratio <= target:
        return f"the interval is {goal} (±{ratio * 100:.1f} %)"
    needed = trials_for_half_width(figure, target)
    estimate = (
        ""
        if needed is None
        else f"; more than {MAX_TRIALS_ESTIMATE} trials would be needed"
        if needed > MAX_TRIALS_ESTIMATE
        else f"; at this spread about {needed} trials would bring it there"
    )
    return f"the interval reaches ±{ratio * 100:.1f} % of the median, not {goal}{estimate}"


def aggregate_markdown(view: AggregateView, *, charts: Sequence[tuple[str, str]] = ()) -> str:
    """aggregate.md of one configuration: headline figures, per-step table, notes, sources."""
    agg = view.aggregate
    count = len(agg["trials"])
    headline = _headline_figures(agg)
    header = ("figure", "trials", "median (95 % CI)", "min-max")
    rows = [
        (
            FIGURE_TEXT[key],
            _n_text(f, count),
            interval_cell(f, digits=_digits(key)),
            spread_cell(f, digits=_digits(key)),
        )
        for key, f in headline.items()
    ]
    return _blocks(
        [f"# {view.label}: {count} trial{'s' if count != 1 else ''}"],
        [agg["settings_text"]],
        [_explanation(agg)],
        _table(header, rows),
        [f"Target for the {FIGURE_TEXT[HEADLINE]}: {target_sentence(headline[HEADLINE])}."],
        _step_table(agg),
        _notes(view),
        _provenance([view]),
        [f"![{alt}]({path})" for alt, path in charts],
    )


def aggregates_side_by_side(
    views: Sequence[AggregateView], *, title: str, charts: Sequence[tuple[str, str]] = ()
) -> str:
    """Several configurations' aggregates: headline table, verdicts against the first, steps."""
    first = views[0].aggregate
    knee = "corrected, target req/s" if first.get("open_loop") else "users"
    header = (
        "configuration",
        "trials",
        "most req/s within SLO (95 % CI)",
        "min-max",
        "CI ± % of median",
        f"knee by avg ({knee})",
        f"knee by p95 ({knee})",
    )
    rows = []
    for view in views:
        headline, count = _headline_figures(view.aggregate), len(view.aggregate["trials"])
        best = headline[HEADLINE]
        ratio = half_width_ratio(best)
        rows.append(
            (
                view.label,
                str(count),
                interval_cell(best, of=count),
                spread_cell(best),
                DASH if ratio is None else f"±{ratio * 100:.1f} %",
                interval_cell(headline["knee_avg_users"], digits=0, of=count),
                interval_cell(headline["knee_p95_users"], digits=0, of=count),
            )
        )
    judged = verdicts([(v.label, v.aggregate) for v in views])
    return _blocks(
        [f"### {title}"],
        [first["settings_text"]],
        [f"{_explanation(first)} {_order_sentence(views)}"],
        _table(header, rows),
        [f"- {v.sentence}" for v in judged],
        _side_step_table(views),
        _notes(*views),
        _provenance(views),
        [f"![{alt}]({path})" for alt, path in charts],
    )


_SIDE_COLUMNS = (("req/s", "rps"), ("avg ms", "avg_ms"), ("p95 ms", "p95_ms"))
# Figures with a ceiling: a share of the requests never passes 100 %.
_CEILINGS = {"late_pct": 100.0}
_OPEN_LOOP_COLUMNS = (
    ("req/s", "rps"),
    ("p95 ms", "p95_ms"),
    ("corrected p95 ms", "corrected_p95_ms"),
    ("late starts %", "late_pct"),
)


def _step_table(agg: Aggregate) -> list[str]:
    count = len(agg["trials"])
    header = (
        "target req/s" if agg.get("open_loop") else "users",
        "trials",
        "req/s (95 % CI)",
        "req/s min-max",
        "avg ms (95 % CI)",
        "avg min-max",
        "p95 ms (95 % CI)",
        "p95 min-max",
        "p99 ms",
        "app CPU %",
    )
    rows = []
    for step in agg["steps"]:
        fig = step["figures"]
        rows.append(
            (
                num(step.get("rate")) if agg.get("open_loop") else str(step["users"]),
                f"{len(step['trials'])} of {count}",
                interval_cell(fig["rps"]),
                spread_cell(fig["rps"]),
                interval_cell(fig["avg_ms"]),
                spread_cell(fig["avg_ms"]),
                interval_cell(fig["p95_ms"]),
                spread_cell(fig["p95_ms"]),
                num(fig["p99_ms"]["median"]),
                num(fig["app_cpu_pct"]["median"], 0),
            )
        )
    return _table(header, rows)


def _side_step_table(views: Sequence[AggregateView]) -> list[str]:
    open_loop = views[0].aggregate.get("open_loop", False)
    columns = _OPEN_LOOP_COLUMNS if open_loop else _SIDE_COLUMNS
    header = ["target req/s" if open_loop else "users"]
    header += [f"{v.label} {name}" for name, _ in columns for v in views]
    by_key = [{step_key(s): s for s in v.aggregate["steps"]} for v in views]
    rows = []
    for key in sorted({k for steps in by_key for k in steps}):
        cells = [num(key[1]) if open_loop else str(key[0])]
        for _, figure in columns:
            for view, steps in zip(views, by_key, strict=True):
                step = steps.get(key)
                count = len(view.aggregate["trials"])
                cells.append(
                    DASH
                    if step is None
                    else interval_cell(
                        step["figures"][figure], of=count, upper=_CEILINGS.get(figure)
                    )
                )
        rows.append(cells)
    return _table(header, rows)


def _headline_figures(agg: Aggregate) -> dict[str, FigureStats]:
    return dict(cast(dict[str, FigureStats], agg["headline"]))


def _digits(key: str) -> int:
    return 0 if key.endswith("users") else 1


def _n_text(figure: FigureStats, count: int) -> str:
    return str(count) if figure["n"] == count else f"{figure['n']} of {count}"


def _explanation(agg: Aggregate) -> str:
    return (
        "Each figure is the median over trials, then in brackets the 95 % confidence "
        f"interval ({agg['interval_method']}, shown from 0 where it would reach below); "
        "min-max is the spread the trials showed."
    )


def _order_sentence(views: Sequence[AggregateView]) -> str:
    places = "; ".join(
        f"{v.label} at {', '.join(str(t['position']) for t in v.aggregate['trials'])}"
        for v in views
    )
    return f"Trials ran interleaved, places in the run order: {places}."


def _notes(*views: AggregateView) -> list[str]:
    notes = []
    for view in views:
        agg, label = view.aggregate, view.label
        count = len(agg["trials"])
        for key, figure in _headline_figures(agg).items():
            missing = count - figure["n"]
            if missing and key in ("max_rps_within_slo", "knee_avg_users", "knee_p95_users"):
                notes.append(f"{label}: in {missing} of {count} trials {NO_FIGURE[key]}.")
        notes += [_step_note(label, step, count) for step in agg["steps"] if _partial(step)]
    return [f"- {note}" for note in notes]


def _partial(step: StepAggregate) -> bool:
    return bool(step["absent"] or step["invalid"])


def _step_note(label: str, step: StepAggregate, count: int) -> str:
    parts = []
    if step["absent"]:
        parts.append(
            f"not reached by {', '.join(step['absent'])} (so its figures favour the trials "
            "that went further)"
        )
    if step["invalid"]:
        parts.append(f"invalid in {', '.join(step['invalid'])} (left out)")
    used = len(step["trials"])
    return (
        f"{label} at {step['users']} users: {used} of {count} trials counted; {'; '.join(parts)}."
    )


def _provenance(views: Sequence[AggregateView]) -> list[str]:
    lines = ["Produced by:"]
    for view in views:
        runs = ", ".join(f"`{t['run']}`" for t in view.aggregate["trials"])
        lines.append(f"- {view.label}: `{view.folder}`, from the runs {runs}")
    machines = {machine_text(v.aggregate["machine"]) for v in views}
    lines += [f"- Machine: {m}" for m in sorted(machines)]
    return lines


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    # As markdown.py's tables: figures align right; the first column names a row, left.
    aligns = ["---:" if i or header[0] == "users" else "---" for i in range(len(header))]
    return [_row(header), _row(aligns), *(_row(r) for r in rows)]


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _blocks(*blocks: list[str]) -> str:
    """Non-empty blocks of lines, a blank line between them."""
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"
