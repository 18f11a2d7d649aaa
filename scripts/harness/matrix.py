"""`make matrix`: every app side by side against the floor, and where each app's CPU goes.

The floor (a bare ASGI callable on asyncpg) is the least Python can do for the contract, so
each app's throughput within the SLO is also given as a share of the floor's. On a machine
too small for it, the floor is limited by what shares its load host (PostgreSQL, Nginx,
Locust), not by its own core: the table then says ">=" for the floor and "<=" for the
ratios, and names what saturated.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.harness.fmt import DASH, num
from scripts.harness.interval import RatioInterval, log_ratio_interval
from scripts.harness.layers import LAYERS, LayerRow, ProfileSummary
from scripts.harness.meta import lookup
from scripts.harness.profile_markdown import layers_side_by_side
from scripts.harness.summary import StepRow, Summary, cpu_ms_per_request, load_summary
from scripts.harness.trial_markdown import AggregateView, interval_cell

FLOOR = "floor"
# Below this share of its cores at its best step, the floor did not saturate its own core:
# something else on the machine set its limit.
LIMITED_BELOW_PCT = 85.0


@dataclass(frozen=True)
class AppTrials:
    view: AggregateView
    summaries: list[Summary]

    @property
    def app(self) -> str:
        return self.view.aggregate["app"]


def load_trials(folder: Path, views: Sequence[AggregateView]) -> list[AppTrials]:
    """Each app's aggregate with its trials' summaries (runs under folder/runs/)."""
    return [
        AppTrials(
            view,
            [
                load_summary(folder / "runs" / t["run"] / "summary.json")
                for t in view.aggregate["trials"]
            ],
        )
        for view in views
    ]


def common_users(apps: Sequence[AppTrials]) -> int | None:
    """The most users every trial of every app measured validly: where CPU is compared."""
    sets = [
        {s["users"] for s in summary["steps"] if s["valid"]}
        for app in apps
        for summary in app.summaries
    ]
    common = set.intersection(*sets) if sets else set()
    return max(common, default=None)


def matrix_lines(apps: Sequence[AppTrials]) -> list[str]:
    """The matrix table, the notes under it, and where each app's CPU goes."""
    floor = next((a for a in apps if a.app == FLOOR), None)
    users = common_users(apps)
    limit = floor_limit(floor) if floor is not None else None
    header = (
        "app",
        "trials",
        "most req/s within SLO (95 % CI)",
        "knee by avg (users)",
        f"app CPU ms per request at {users} users" if users else "app CPU ms per request",
        f"app RSS MB at {users} users" if users else "app RSS MB",
        "share of the floor (95 % CI)",
    )
    rows = []
    for app in apps:
        best = interval_cell(app.view.aggregate["headline"]["max_rps_within_slo"])
        if app is floor and limit is not None:
            best = f">= {best}"
        rows.append(
            (
                app.view.label,
                str(len(app.summaries)),
                best,
                interval_cell(app.view.aggregate["headline"]["knee_avg_users"], digits=0),
                _median_at(app, users, cpu_ms_per_request, digits=2),
                _median_at(app, users, lambda s: s["app_rss_mb"], digits=0),
                _share(app, floor, limited=limit is not None),
            )
        )
    lines = [_row(header), _row(("---", *("---:" for _ in header[1:]))), *(_row(r) for r in rows)]
    if limit is not None:
        lines += ["", limit]
    profiles = {app.view.label: p for app in apps if (p := median_profile(app)) is not None}
    if profiles:
        lines += [
            "",
            "Where each app's CPU goes (py-spy on the profiled encore step; CPU ms per request "
            "by layer, median over the trials, and the layer's share of the samples):",
            "",
            *layers_side_by_side(profiles),
        ]
    return lines


def floor_limit(floor: AppTrials) -> str | None:
    """Why the floor's figure is only a lower bound, or None when its own core was the limit."""
    busy, parts = [], []
    for summary in floor.summaries:
        step = _best_step(summary)
        if step is None or step["app_cpu_pct"] is None:
            continue
        busy.append(step["app_cpu_pct"])
        parts.append(step.get("load_host_saturated") or _busiest_part(step))
    cores = float(lookup(floor.view.aggregate["method"], "stack.envelope.requested.cpus", 1.0))
    if not busy or statistics.median(busy) >= LIMITED_BELOW_PCT * cores:
        return None
    named = sorted({p for p in parts if p})
    if floor.view.aggregate["headline"]["knee_avg_users"]["n"] == 0:
        # No trial broke the SLO: the ramp ended first, whatever the machine could do.
        named = ["the ramp ended before the floor broke the SLO (a longer RAMP, or auto)"]
    return (
        f">= / <=: the floor's own core was only {statistics.median(busy):.0f} % busy at its "
        f"best step (median over trials), so something else set its limit: "
        f"{'; '.join(named) or 'the machine it shares with the load'}. Its figure is a lower "
        "bound, and every share of it an upper bound; on bigger hosts (README: Across "
        "machines) the floor goes further."
    )


def median_profile(app: AppTrials) -> ProfileSummary | None:
    """Each layer's median CPU ms per request and share over the trials that have a profile."""
    profiles = [s["profile"] for s in app.summaries if s.get("profile") and s["profile"]["layers"]]
    if not profiles:
        return None
    layers: list[LayerRow] = []
    for key, label in LAYERS:
        rows = [r for p in profiles for r in p["layers"] if r["layer"] == key]
        ms = [r["cpu_ms_per_request"] for r in rows if r["cpu_ms_per_request"] is not None]
        layers.append(
            {
                "layer": key,
                "label": label,
                "samples": sum(r["samples"] for r in rows),
                "share_pct": round(statistics.median([r["share_pct"] for r in rows]), 2)
                if rows
                else 0.0,
                "cpu_ms_per_request": round(statistics.median(ms), 3) if ms else None,
            }
        )
    first = profiles[0]
    return {**first, "layers": layers, "samples": sum(r["samples"] for r in layers)}


def _best_step(summary: Summary) -> StepRow | None:
    users = summary["max_rps_within_slo_users"]
    return next((s for s in summary["steps"] if s["users"] == users), None)


def _busiest_part(step: StepRow) -> str:
    parts = {"PostgreSQL": step["db_cpu_pct"], "Nginx": step["nginx_cpu_pct"]}
    parts["Locust"] = step.get("loadgen_total_cpu_pct") or step["loadgen_cpu_pct"]
    shown = [f"{name} {value:.0f} %" for name, value in parts.items() if value is not None]
    return "on the other core: " + ", ".join(shown) if shown else ""


def _median_at(app: AppTrials, users: int | None, figure: Any, *, digits: int) -> str:
    if users is None:
        return DASH
    values = []
    for summary in app.summaries:
        step = next((s for s in summary["steps"] if s["users"] == users), None)
        value = figure(step) if step is not None else None
        if value is not None:
            values.append(float(value))
    return num(statistics.median(values), digits) if values else DASH


def floor_share(app: AppTrials, floor: AppTrials) -> RatioInterval | None:
    """app / floor for the most req/s within the SLO: Welch's ratio of geometric means with
    its interval, or the ratio of the medians (low = high) with fewer than 2 trials a side."""
    mine = [v for v in app.view.aggregate["headline"]["max_rps_within_slo"]["values"] if v]
    base = [v for v in floor.view.aggregate["headline"]["max_rps_within_slo"]["values"] if v]
    if not mine or not base:
        return None
    ratio = log_ratio_interval(mine, base)
    if ratio is None:
        plain = statistics.median(mine) / statistics.median(base)
        return RatioInterval(plain, plain, plain, None)
    return ratio


def _share(app: AppTrials, floor: AppTrials | None, *, limited: bool) -> str:
    if floor is None:
        return DASH
    if app is floor:
        return "100 %"
    share = floor_share(app, floor)
    if share is None:
        return DASH
    bound = "<= " if limited else ""
    if min(_trials(app), _trials(floor)) < 2:
        return f"{bound}{100 * share.ratio:.0f} %"  # the ratio of medians: no interval
    return f"{bound}{100 * share.ratio:.0f} % ({100 * share.low:.0f} to {100 * share.high:.0f})"


def _trials(app: AppTrials) -> int:
    return sum(1 for v in app.view.aggregate["headline"]["max_rps_within_slo"]["values"] if v)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
