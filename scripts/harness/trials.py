"""aggregate.json: one configuration's repeated trials folded into medians, spreads, intervals.

A configuration is one app (and variant) measured one way; its trials must agree on the
method settings compare.py checks, or they are refused with the differing field named.
Steps are matched by their user count. With an auto ramp the trials can stop at
different steps, so each step lists the trials that reached it: a step only some trials
reached is averaged over those only, which favours them (they went further because the
step before held), and the tables say so. Invalid steps are left out of the figures
and listed, as a single run's knee leaves them out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, cast

from scripts.harness.compare import METHOD_KEYS, ensure_comparable
from scripts.harness.errors import HarnessError
from scripts.harness.interval import METHOD, FigureStats, describe
from scripts.harness.markdown import settings_sentence
from scripts.harness.meta import load_meta, lookup, read_json_object
from scripts.harness.results import is_complete
from scripts.harness.summary import StepRow, Summary, load_summary

SCHEMA_VERSION = 1
AGGREGATE_FILE = "aggregate.json"
STEP_FIGURES = ("rps", "avg_ms", "p95_ms", "p99_ms", "app_cpu_pct")
_ABSENT = object()


class TrialRow(TypedDict):
    run: str  # the trial's run folder name
    position: int  # 1-based place in the whole session's run order (the interleaving)
    started_at: str | None
    finished_at: str | None


class HeadlineRow(TypedDict):
    max_rps_within_slo: FigureStats
    max_rps_within_slo_users: FigureStats  # where each trial's best step was
    knee_avg_users: FigureStats  # None in a trial: the average never exceeded the SLO
    knee_p95_users: FigureStats


class StepAggregate(TypedDict):
    users: int
    trials: list[str]  # runs whose valid step at these users is counted
    absent: list[str]  # runs that never reached this step
    invalid: list[str]  # runs whose step here was invalid, left out
    figures: dict[str, FigureStats]  # keyed by STEP_FIGURES


class Aggregate(TypedDict):
    schema_version: int
    app: str
    variant: str | None
    interval_method: str
    slo_ms: float
    auto_ramp: bool
    settings_text: str  # the single-run settings sentence of the first trial
    method: dict[str, Any]  # compare.METHOD_KEYS as nested in meta.json (absent keys left out)
    machine: Any
    schedule: list[str]  # every run of the session in the order it ran, all apps
    trials: list[TrialRow]  # this configuration's trials, in run order
    headline: HeadlineRow
    steps: list[StepAggregate]


@dataclass(frozen=True)
class Trial:
    run: str
    summary: Summary
    meta: dict[str, Any]


def load_trial(run_dir: Path) -> Trial:
    """A complete run folder's summary.json and meta.json; HarnessError otherwise."""
    if not is_complete(run_dir) or load_meta(run_dir).get("complete") is not True:
        raise HarnessError(f"{run_dir}: not a complete run, so not a trial")
    return Trial(run_dir.name, load_summary(run_dir / "summary.json"), load_meta(run_dir))


def build_aggregate(trials: Sequence[Trial], *, schedule: Sequence[str] | None = None) -> Aggregate:
    """Fold trials of one configuration; `schedule` is the session's run order (all apps).

    Without a schedule the trials' own order is taken as the run order.
    """
    if not trials:
        raise HarnessError("no trials to aggregate")
    _ensure_one_configuration(trials)
    order = list(schedule) if schedule is not None else [t.run for t in trials]
    missing = [t.run for t in trials if t.run not in order]
    if missing:
        raise HarnessError(f"trials missing from the schedule: {', '.join(missing)}")
    ordered = sorted(trials, key=lambda t: order.index(t.run))
    first = ordered[0]
    return {
        "schema_version": SCHEMA_VERSION,
        "app": first.summary["app"],
        "variant": first.summary["variant"],
        "interval_method": METHOD,
        "slo_ms": first.summary["slo_ms"],
        "auto_ramp": first.summary["auto_ramp"],
        "settings_text": settings_sentence(first.summary),
        "method": method_fields(first.meta),
        "machine": first.meta.get("machine"),
        "schedule": order,
        "trials": [_trial_row(t, order) for t in ordered],
        "headline": _headline([t.summary for t in ordered]),
        "steps": _steps(ordered),
    }


def aggregate_runs(
    trial_dirs: Sequence[Path], *, schedule: Sequence[str] | None = None
) -> Aggregate:
    """`build_aggregate` over run folders (each complete, with summary.json and meta.json)."""
    return build_aggregate([load_trial(d) for d in trial_dirs], schedule=schedule)


def method_fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The method settings of a meta.json, nested as there, so compare.py can read them."""
    fields: dict[str, Any] = {}
    for key in METHOD_KEYS:
        value = lookup(meta, key, _ABSENT)
        if value is _ABSENT:
            continue
        *parents, leaf = key.split(".")
        node = fields
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return fields


def headline_figure(aggregate: Aggregate, figure: str) -> FigureStats:
    """A headline figure by name (a key of HeadlineRow); HarnessError for another name."""
    headline = cast(dict[str, FigureStats], aggregate["headline"])
    if figure not in headline:
        raise HarnessError(f"no headline figure {figure!r}; one of {', '.join(headline)}")
    return headline[figure]


def dumps(aggregate: Aggregate) -> str:
    return json.dumps(aggregate, indent=2) + "\n"


def load_aggregate(path: Path) -> Aggregate:
    """An aggregate.json, checked for its keys and version; HarnessError naming the problem."""
    obj = read_json_object(path)
    problems = _problems(obj)
    if problems:
        raise HarnessError(f"{path}: " + "; ".join(problems))
    return cast(Aggregate, obj)


def _ensure_one_configuration(trials: Sequence[Trial]) -> None:
    first = trials[0]
    for trial in trials[1:]:
        for field, left, right in (
            ("app", first.summary["app"], trial.summary["app"]),
            ("variant", first.summary["variant"], trial.summary["variant"]),
        ):
            if left != right:
                raise HarnessError(
                    "trials of different configurations, refusing to aggregate: "
                    f"{first.run} vs {trial.run}: {field}: {left} != {right}"
                )
    ensure_comparable([(t.run, t.meta) for t in trials])
    runs = [t.run for t in trials]
    if len(set(runs)) != len(runs):
        raise HarnessError(f"the same run given twice: {', '.join(runs)}")


def _trial_row(trial: Trial, order: list[str]) -> TrialRow:
    started, finished = trial.meta.get("started_at"), trial.meta.get("finished_at")
    return {
        "run": trial.run,
        "position": order.index(trial.run) + 1,
        "started_at": None if started is None else str(started),
        "finished_at": None if finished is None else str(finished),
    }


def _headline(summaries: Sequence[Summary]) -> HeadlineRow:
    return {
        "max_rps_within_slo": describe([s["max_rps_within_slo"] for s in summaries]),
        "max_rps_within_slo_users": describe([s["max_rps_within_slo_users"] for s in summaries]),
        "knee_avg_users": describe([s["knee"]["avg_users"] for s in summaries]),
        "knee_p95_users": describe([s["knee"]["p95_users"] for s in summaries]),
    }


def _steps(trials: Sequence[Trial]) -> list[StepAggregate]:
    by_users = [{s["users"]: s for s in t.summary["steps"]} for t in trials]
    rows: list[StepAggregate] = []
    for users in sorted({u for steps in by_users for u in steps}):
        reached = [steps.get(users) for steps in by_users]
        counted = [s if s is not None and s["valid"] else None for s in reached]
        rows.append(
            {
                "users": users,
                "trials": [t.run for t, s in zip(trials, counted, strict=True) if s],
                "absent": [t.run for t, s in zip(trials, reached, strict=True) if s is None],
                "invalid": [
                    t.run
                    for t, s in zip(trials, reached, strict=True)
                    if s is not None and not s["valid"]
                ],
                "figures": {
                    key: describe([_figure(s, key) for s in counted]) for key in STEP_FIGURES
                },
            }
        )
    return rows


def _figure(step: StepRow | None, key: str) -> float | None:
    if step is None:
        return None
    value = cast(dict[str, object], step)[key]
    return float(value) if isinstance(value, int | float) else None


_FIGURE_KEYS = set(FigureStats.__annotations__)


def _problems(obj: dict[str, Any]) -> list[str]:
    if obj.get("schema_version") != SCHEMA_VERSION:
        return [f"schema_version must be {SCHEMA_VERSION}, got {obj.get('schema_version')!r}"]
    problems = [f"missing {k}" for k in Aggregate.__annotations__ if k not in obj]
    if problems:
        return problems
    headline = obj["headline"]
    if not isinstance(headline, dict):
        return ["headline must be an object"]
    problems += _figure_problems("headline", headline, HeadlineRow.__annotations__)
    if not isinstance(obj["steps"], list):
        return [*problems, "steps must be a list"]
    for i, step in enumerate(obj["steps"]):
        where = f"steps[{i}]"
        if not isinstance(step, dict) or not set(StepAggregate.__annotations__) <= step.keys():
            problems.append(f"{where} must hold {', '.join(StepAggregate.__annotations__)}")
            continue
        problems += _figure_problems(f"{where}.figures", step["figures"], STEP_FIGURES)
    return problems


def _figure_problems(
    where: str, figures: object, names: Sequence[str] | dict[str, Any]
) -> list[str]:
    if not isinstance(figures, dict):
        return [f"{where} must be an object"]
    return [
        f"{where}.{name} must hold {', '.join(sorted(_FIGURE_KEYS))}"
        for name in names
        if not isinstance(figures.get(name), dict) or not figures[name].keys() >= _FIGURE_KEYS
    ]
