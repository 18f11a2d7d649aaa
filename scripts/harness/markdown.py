"""Markdown a person reads: one run's summary.md, and the side-by-side results tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scripts.harness.fmt import DASH, command_text, machine_text, num, pct, think_text
from scripts.harness.profile_markdown import profile_markdown
from scripts.harness.summary import EncoreRow, KneeRow, StepRow, Summary

INVALID_MARK = "†"


@dataclass(frozen=True)
class RunView:
    """A run as a results table shows it: a column label, where it lives, what it measured."""

    label: str
    folder: str  # as the reader should find it, e.g. results/20261125T165850Z-django
    summary: Summary
    meta: dict[str, Any]


def settings_sentence(summary: Summary) -> str:
    users = " ".join(str(u) for u in summary["ramp"])
    ramp = (
        f"auto ramp from {summary['ramp'][0]} users, +50 % a step until the average broke "
        "the SLO or errors passed 1 %"
        if summary["auto_ramp"] and summary["ramp"]
        else f"ramp {users} users"
    )
    return (
        f"Think time {think_text(summary['think'])} per user after each request (closed loop: "
        f"a stalled server also slows the load), SLO {summary['slo_ms']:g} ms on the average "
        f"response time; {ramp}, {summary['step_seconds']:g} s per step, of which the "
        f"ramp-up and the next {summary['settle_seconds']:g} s are discarded."
    )


def knee_sentence(summary: Summary) -> str:
    """The knee in one sentence: where the average and the p95 broke the SLO, and peak RPS."""
    slo = f"{summary['slo_ms']:g} ms"
    knee = summary["knee"]
    top = max((s["users"] for s in summary["steps"] if s["valid"]), default=None)
    if top is None:
        return "No step was valid, so nothing can be said about the SLO" + _invalid_note(knee)
    if knee["avg_users"] is None and knee["p95_users"] is None:
        sentence = f"the average and the p95 stayed within {slo} at every valid step" + (
            f" (up to {top} users)"
        )
    else:
        sentence = _first_over("average", knee["avg_users"], slo)
        sentence += ", " + _first_over("p95", knee["p95_users"], "it")
    best = summary["max_rps_within_slo"]
    if best is None:
        sentence += "; no valid step was within the SLO"
    else:
        sentence += (
            f"; the most throughput within the SLO was {num(best)} req/s "
            f"at {summary['max_rps_within_slo_users']} users"
        )
    sentence += _invalid_note(knee)
    return sentence[0].upper() + sentence[1:]


def encore_sentence(encore: EncoreRow) -> str:
    """What profiling cost, measured in this run."""
    profiled = encore["profiled"]
    head = (
        f"Profiling cost, measured in this run: the profiled step at {encore['users']} users "
        f"served {num(profiled['rps'])} req/s at {num(profiled['avg_ms'])} ms on average"
    )
    twin = encore["unprofiled"]
    if twin is None:
        return head + "; the ramp had no unprofiled step with as many users to compare."
    change = encore["rps_change_pct"]
    cpu = encore["cpu_ms_per_request_change_pct"]
    return (
        f"{head}, against {num(twin['rps'])} req/s at {num(twin['avg_ms'])} ms for the same "
        f"users unprofiled: throughput {_pct(change)}, app CPU per request {_pct(cpu)}."
    )


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:+.1f} %"


def _invalid_note(knee: KneeRow) -> str:
    if not knee["invalid_breach_users"]:
        return "."
    listed = ", ".join(str(u) for u in knee["invalid_breach_users"])
    return f" (invalid steps at {listed} users also exceeded it and are not counted)."


def _first_over(figure: str, users: int | None, limit: str) -> str:
    if users is None:
        return f"the {figure} stayed within {limit} at every valid step"
    return f"the {figure} first exceeded {limit} at {users} users"


def run_markdown(summary: Summary, meta: dict[str, Any]) -> str:
    """summary.md of one run."""
    variant = f" ({summary['variant']})" if summary["variant"] else ""
    failed = summary.get("failure")
    lines = [
        f"# {summary['app']}{variant}: run {summary['run']}",
        "",
        *(
            [f"**FAILED RUN: {failed}.** Not a result: `make report` never uses it.", ""]
            if failed
            else []
        ),
        settings_sentence(summary),
        "",
        f"**Knee:** {knee_sentence(summary)}",
        "",
        f"Machine: {machine_text(meta.get('machine'))}. "
        f"Command: `{command_text(meta.get('command'))}`.",
        "",
        *_step_table(summary["steps"]),
        "",
        *_notes(summary),
        "",
        "## Per endpoint",
        "",
        *_endpoint_table(summary["steps"]),
        "",
        "![latency](latency.png)",
        "",
        "![throughput](rps.png)",
        "",
        "![timeline](timeline.png)",
    ]
    if "profile" in summary:
        lines += ["", *profile_markdown(summary["profile"])]
    if "encore" in summary:
        lines += ["", encore_sentence(summary["encore"])]
    return "\n".join(lines) + "\n"


_STEP_HEADER = (
    "users",
    "steady s",
    "requests",
    "req/s",
    "avg ms",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "failures",
    "app CPU %",
    "app RSS MB",
    "db CPU %",
    "nginx CPU %",
    "peak Locust CPU %",
    "valid",
)


def _step_table(steps: Sequence[StepRow]) -> list[str]:
    rows = [
        (
            str(s["users"]),
            num(s["seconds"]),
            str(s["requests"]),
            num(s["rps"]),
            num(s["avg_ms"]),
            num(s["p50_ms"]),
            num(s["p95_ms"]),
            num(s["p99_ms"]),
            num(s["max_ms"]),
            f"{s['failures']} ({pct(s['fail_ratio'])})",
            num(s["app_cpu_pct"], 0),
            num(s["app_rss_mb"], 0),
            num(s["db_cpu_pct"], 0),
            num(s["nginx_cpu_pct"], 0),
            num(s["loadgen_cpu_pct"], 0),
            "yes" if s["valid"] else f"no {INVALID_MARK}",
        )
        for s in steps
    ]
    return _table(_STEP_HEADER, rows)


def _endpoint_table(steps: Sequence[StepRow]) -> list[str]:
    header = (
        "users",
        "endpoint",
        "requests",
        "req/s",
        "avg ms",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "failures",
    )
    rows = [
        (
            str(s["users"]),
            f"`{name}`",
            str(e["requests"]),
            num(e["rps"]),
            num(e["avg_ms"]),
            num(e["p50_ms"]),
            num(e["p95_ms"]),
            num(e["p99_ms"]),
            num(e["max_ms"]),
            str(e["failures"]),
        )
        for s in steps
        for name, e in s["endpoints"].items()
    ]
    return _table(header, rows)


def _notes(summary: Summary) -> list[str]:
    notes = [
        f"{INVALID_MARK} {s['users']} users: {s['invalid_reason']}."
        for s in summary["steps"]
        if not s["valid"]
    ]
    login = summary["login"]
    notes.append(
        f"Logins are left out of the steps: {login['requests']} in the run, "
        f"average {num(login['avg_ms'])} ms, p95 {num(login['p95_ms'])} ms, "
        f"{login['failures']} failed."
    )
    errors = summary["errors"]
    if errors["any"]:
        first = errors["first_users_over_1pct"]
        notes.append(
            f"Errors: {errors['total_failures']} failed requests in the run; "
            + ("no step above 1 %." if first is None else f"first step above 1 %: {first} users.")
        )
    else:
        notes.append("Errors: none.")
    notes.append(f"Database invariants: {invariants_text(summary['invariants'])}.")
    return [line for note in notes for line in (note, "")][:-1]


def invariants_text(invariants: dict[str, Any]) -> str:
    if invariants.get("ok") is None:
        return "not checked"
    if invariants["ok"]:
        return "all hold"
    broken = [
        f"{name} ({check['violations']} violations)"
        for name, check in invariants.get("checks", {}).items()
        if not check["ok"]
    ]
    return "VIOLATED: " + ", ".join(broken)


_SIDE_METRICS: tuple[tuple[str, str], ...] = (
    ("req/s", "rps"),
    ("avg ms", "avg_ms"),
    ("p95 ms", "p95_ms"),
    ("p99 ms", "p99_ms"),
    ("failures", "fail_ratio"),
    ("app CPU %", "app_cpu_pct"),
)


def side_by_side(runs: Sequence[RunView], *, title: str, charts: Sequence[tuple[str, str]]) -> str:
    """A per-step table with one column per run and metric, the knees, and provenance.

    Rows are the user counts any run stepped through (an auto ramp may go further for one
    app than for another); a run without that step shows a dash. `charts` is (alt text,
    image path) pairs to show under the table.
    """
    first = runs[0].summary
    header = ("users", *(f"{run.label} {metric}" for metric, _ in _SIDE_METRICS for run in runs))
    by_users = [{s["users"]: s for s in run.summary["steps"]} for run in runs]
    rows = []
    for users in sorted({u for steps in by_users for u in steps}):
        cells = [str(users)]
        for _, key in _SIDE_METRICS:
            for steps in by_users:
                cells.append(_side_cell(steps[users], key) if users in steps else DASH)
        rows.append(tuple(cells))
    lines = [f"### {title}", "", settings_sentence(first), "", *_table(header, rows), ""]
    invalid = [
        f"{run.label} at {s['users']} users: {s['invalid_reason']}"
        for run in runs
        for s in run.summary["steps"]
        if not s["valid"]
    ]
    if invalid:
        lines += [f"{INVALID_MARK} Invalid steps: " + "; ".join(invalid) + ".", ""]
    lines += [f"- **{run.label}**: {knee_sentence(run.summary)}" for run in runs]
    lines += ["", *_provenance(runs), ""]
    lines += [f"![{alt}]({path})" for alt, path in charts]
    return "\n".join(lines).rstrip("\n") + "\n"


def _side_cell(step: StepRow, key: str) -> str:
    fields: Mapping[str, object] = step
    raw = fields[key]
    value = float(raw) if isinstance(raw, int | float) else None
    text = pct(value) if key == "fail_ratio" else num(value, 0 if key == "app_cpu_pct" else 1)
    return text if step["valid"] else f"{text} {INVALID_MARK}"


def _provenance(runs: Sequence[RunView]) -> list[str]:
    machines = {machine_text(run.meta.get("machine")) for run in runs}
    lines = ["Produced by:"]
    lines += [
        f"- {run.label}: `{run.folder}`, command `{command_text(run.meta.get('command'))}`"
        + ("" if len(machines) == 1 else f", on {machine_text(run.meta.get('machine'))}")
        for run in runs
    ]
    if len(machines) == 1:
        lines.append(f"- Machine: {machines.pop()}")
    return lines


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    # Figures align right so digits line up; the two text columns align left.
    aligns = ["---" if name in ("endpoint", "valid") else "---:" for name in header]
    return [_row(header), _row(aligns), *(_row(r) for r in rows)]


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
