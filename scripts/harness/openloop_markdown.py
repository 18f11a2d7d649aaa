"""Markdown of an open-loop run (ARRIVAL): target rates, and every latency twice, as
measured and as counted from the intended start (coordinated omission corrected)."""

from __future__ import annotations

from collections.abc import Sequence

from scripts.harness.fmt import num, pct
from scripts.harness.summary import StepRow, Summary


def is_open_loop(summary: Summary) -> bool:
    return any(step.get("rate") is not None for step in summary["steps"])


def open_loop_sentence(summary: Summary) -> str:
    rates = " ".join(f"{step.get('rate') or 0:g}" for step in summary["steps"])
    users = summary["steps"][0]["users"] if summary["steps"] else 0
    return (
        f"Open loop: {users} users share a target rate of {rates} req/s (one step each); "
        "every request starts on its schedule, and one that could only start late (its "
        "user was still waiting for an answer) is counted from when it should have started. "
        f"SLO {summary['slo_ms']:g} ms on the corrected average; "
        f"{summary['step_seconds']:g} s per step, of which the start-up and the next "
        f"{summary['settle_seconds']:g} s are discarded."
    )


def open_loop_knee(summary: Summary) -> str:
    """Where the corrected average and p95 broke the SLO, by target rate, and the best rate."""
    slo = f"{summary['slo_ms']:g} ms"
    knee = summary["knee"]
    avg, p95 = knee.get("avg_rate"), knee.get("p95_rate")
    first = (
        f"the corrected average stayed within {slo} at every valid step"
        if avg is None
        else f"the corrected average first exceeded {slo} at a target of {avg:g} req/s"
    )
    second = (
        "the corrected p95 stayed within it"
        if p95 is None
        else f"the corrected p95 at {p95:g} req/s"
    )
    best = summary["max_rps_within_slo"]
    third = (
        "no valid step was within the SLO"
        if best is None
        else f"the most throughput within the SLO was {num(best)} req/s"
    )
    return f"{first[0].upper()}{first[1:]}, {second}; {third}."


OPEN_LOOP_HEADER = (
    "target req/s",
    "req/s",
    "avg ms",
    "corrected avg ms",
    "p95 ms",
    "corrected p95 ms",
    "p99 ms",
    "corrected p99 ms",
    "late starts",
    "failures",
    "valid",
)


def open_loop_rows(steps: Sequence[StepRow]) -> list[tuple[str, ...]]:
    return [
        (
            num(step.get("rate")),
            num(step["rps"]),
            num(step["avg_ms"]),
            num(step.get("corrected_avg_ms")),
            num(step["p95_ms"]),
            num(step.get("corrected_p95_ms")),
            num(step["p99_ms"]),
            num(step.get("corrected_p99_ms")),
            f"{step.get('late', 0)} ({pct(step.get('late_ratio', 0.0))})",
            f"{step['failures']} ({pct(step['fail_ratio'])})",
            "yes" if step["valid"] else "no",
        )
        for step in steps
    ]
