"""What the numbers say, in sentences generated from the sessions, so that no figure in the
README's reading of the results is typed by hand (and none can go stale).

Each function reads one section's aggregates and returns bullets; sections a function does
not recognise give none.
"""

from __future__ import annotations

from collections.abc import Sequence

from scripts.harness.fmt import num
from scripts.harness.interval import FigureStats
from scripts.harness.matrix import AppTrials, floor_limit, floor_share, median_profile
from scripts.harness.trial_markdown import AggregateView
from scripts.harness.trials import StepAggregate
from scripts.harness.verdict import verdict


def knee_clause(view: AggregateView, *, unit: str = "users") -> str:
    """'Django's average first broke the SLO at 135 users (median of 3 trials)' or 'held'."""
    agg = view.aggregate
    knee = agg["headline"]["knee_avg_users"]
    trials = len(agg["trials"])
    slo = f"{agg['slo_ms']:g} ms"
    if knee["n"] == 0:
        return f"{view.label} held {slo} on average at every step of all {trials} trials"
    where = f"{num(knee['median'], 0)} {unit}"
    spread = _spread(knee, 0)
    tail = "" if knee["n"] == trials else f" ({trials - knee['n']} trials never broke it)"
    return f"{view.label}'s average first broke {slo} at {where} (median{spread}){tail}"


def closed_loop_bullets(views: Sequence[AggregateView]) -> list[str]:
    """Knees, the verdict on the most req/s within the SLO, and app CPU at the top step."""
    bullets = ["; ".join(knee_clause(v) for v in views) + "."]
    if len(views) >= 2:
        bullets.append(
            verdict(
                (views[1].label, views[1].aggregate), (views[0].label, views[0].aggregate)
            ).sentence
        )
    top = _top_common_step(views)
    if top is not None:
        parts = []
        for view in views:
            fig = _step(view, top)["figures"]
            parts.append(
                f"{view.label} {num(fig['avg_ms']['median'])} ms on average, "
                f"{num(fig['app_cpu_pct']['median'], 0)} % of its core"
            )
        bullets.append(f"At {top} users (medians): " + "; ".join(parts) + ".")
    return bullets


def open_loop_bullets(views: Sequence[AggregateView]) -> list[str]:
    """Knees by target rate, and what the closed loop would have hidden there."""
    bullets = ["; ".join(knee_clause(v, unit="req/s (target)") for v in views) + "."]
    for view in views:
        within = [
            s
            for s in view.aggregate["steps"]
            if (s["figures"]["corrected_avg_ms"]["median"] or 0) <= view.aggregate["slo_ms"]
            and s["figures"]["corrected_avg_ms"]["n"]
        ]
        beyond = [
            s for s in view.aggregate["steps"] if s not in within and s["figures"]["rps"]["n"]
        ]
        if beyond:
            step = beyond[0]
            fig = step["figures"]
            raw, fixed = fig["p95_ms"]["median"], fig["corrected_p95_ms"]["median"]
            bullets.append(
                f"{view.label} at {num(step.get('rate'), 0)} req/s, the first rate past its "
                f"knee: p95 {num(raw)} ms as measured, {num(fixed)} ms counted from the intended "
                f"starts; {num(fig['late_pct']['median'])} % of requests started late."
            )
    return bullets


# Pairs the matrix also answers head to head, when both apps ran: (subject, reference).
MATRIX_PAIRS = (("fastapi", "django"), ("fastapi-tuned", "django-tuned"))


def matrix_bullets(apps: Sequence[AppTrials]) -> list[str]:
    """Each app's share of the floor (the table's figure), the verdict of each framework
    pair, and the layers where most of each app's CPU goes."""
    bullets = []
    floor = next((a for a in apps if a.app == "floor"), None)
    if floor is not None:
        base = floor.view.aggregate["headline"]["max_rps_within_slo"]["median"]
        bound = "at most " if floor_limit(floor) is not None else ""
        for app in apps:
            share = floor_share(app, floor) if app is not floor else None
            if share is None:
                continue
            best = app.view.aggregate["headline"]["max_rps_within_slo"]["median"]
            bullets.append(
                f"{app.view.label} served {num(best)} req/s within the SLO (median), "
                f"{bound}{100 * share.ratio:.0f} % of the floor's {num(base)}."
            )
    by_name = {a.app: a for a in apps}
    for subject, reference in MATRIX_PAIRS:
        if subject in by_name and reference in by_name:
            a, b = by_name[subject].view, by_name[reference].view
            bullets.append(verdict((a.label, a.aggregate), (b.label, b.aggregate)).sentence)
    for app in apps:
        profile = median_profile(app)
        if profile is None:
            continue
        ranked = sorted(profile["layers"], key=lambda r: r["share_pct"], reverse=True)
        top = [f"{r['label']} {r['share_pct']:.0f} %" for r in ranked[:3] if r["share_pct"] > 0]
        bullets.append(
            f"{app.view.label}'s CPU goes to " + ", ".join(top) + " (of py-spy's samples)."
        )
    return bullets


def _spread(figure: FigureStats, digits: int) -> str:
    if figure["n"] < 2 or figure["min"] is None or figure["max"] is None:
        return ""
    return f", {num(figure['min'], digits)} to {num(figure['max'], digits)} over the trials"


def _top_common_step(views: Sequence[AggregateView]) -> int | None:
    sets = [{s["users"] for s in v.aggregate["steps"] if s["figures"]["rps"]["n"]} for v in views]
    common = set.intersection(*sets) if sets else set()
    return max(common, default=None)


def _step(view: AggregateView, users: int) -> StepAggregate:
    return next(s for s in view.aggregate["steps"] if s["users"] == users)
