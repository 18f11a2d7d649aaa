"""Recompute a run's figures from its raw samples and check them against its summary.json.

The raw samples (plain or gzip-compressed) are the evidence behind every latency figure;
this runs the same analysis that wrote summary.json and compares, figure by figure, what
comes from the samples: each step's window, request count, throughput, average, p50, p95,
p99, max and failures, the same per endpoint, and the logins. Resource figures come from
raw/resources.csv, not from the samples, and are not part of the check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.harness.build import analyze_run
from scripts.harness.fmt import num
from scripts.harness.results import RAW_DIR
from scripts.harness.samples import samples_files
from scripts.harness.summary import EndpointRow, LoginRow, StepRow, Summary, load_summary

SUMMARY_FILE = "summary.json"
STEP_FIELDS = (
    "users",
    "seconds",
    "window_start",
    "window_end",
    "requests",
    "rps",
    "avg_ms",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "failures",
    "fail_ratio",
)
ENDPOINT_FIELDS = tuple(EndpointRow.__annotations__)
LOGIN_FIELDS = tuple(LoginRow.__annotations__)
TABLE = (
    ("users", "users", 0),
    ("steady s", "seconds", 1),
    ("requests", "requests", 0),
    ("req/s", "rps", 1),
    ("avg ms", "avg_ms", 2),
    ("p50 ms", "p50_ms", 2),
    ("p95 ms", "p95_ms", 2),
    ("p99 ms", "p99_ms", 2),
    ("max ms", "max_ms", 2),
    ("failures", "failures", 0),
)


@dataclass(frozen=True)
class Difference:
    """One figure whose recomputed value is not the one summary.json holds."""

    where: str  # "step 3 (60 users)", "step 3 (60 users) /orders", "logins", "run"
    figure: str
    stored: Any
    recomputed: Any

    def __str__(self) -> str:
        return (
            f"{self.where} {self.figure}: summary.json {self.stored!r}, samples {self.recomputed!r}"
        )


@dataclass(frozen=True)
class Recheck:
    """The figures recomputed from a run's samples and how they compare with summary.json."""

    run_dir: Path
    sample_files: list[Path]
    recomputed: Summary
    differences: list[Difference]
    figures_checked: int

    @property
    def matches(self) -> bool:
        return not self.differences


def recheck_run(run_dir: Path) -> Recheck:
    """Recompute `run_dir`'s sample figures; HarnessError when its files cannot be read."""
    stored = load_summary(run_dir / SUMMARY_FILE)
    recomputed, _timeline = analyze_run(run_dir)
    differences, checked = compare(stored, recomputed)
    return Recheck(
        run_dir=run_dir,
        sample_files=samples_files(run_dir / RAW_DIR),
        recomputed=recomputed,
        differences=differences,
        figures_checked=checked,
    )


def compare(stored: Summary, recomputed: Summary) -> tuple[list[Difference], int]:
    """The sample figures that differ, and how many figures were compared."""
    out: list[Difference] = []
    checked = _fields(
        "run",
        {"total_failures": stored["errors"]["total_failures"], "steps": len(stored["steps"])},
        {
            "total_failures": recomputed["errors"]["total_failures"],
            "steps": len(recomputed["steps"]),
        },
        ("steps", "total_failures"),
        out,
    )
    checked += _fields("logins", stored["login"], recomputed["login"], LOGIN_FIELDS, out)
    for old, new in zip(stored["steps"], recomputed["steps"], strict=False):
        checked += _step(old, new, out)
    return out, checked


def _step(stored: StepRow, recomputed: StepRow, out: list[Difference]) -> int:
    where = f"step {stored['index'] + 1} ({stored['users']} users)"
    checked = _fields(where, stored, recomputed, STEP_FIELDS, out)
    old, new = stored["endpoints"], recomputed["endpoints"]
    for name in sorted(old.keys() | new.keys()):
        if name not in old or name not in new:
            out.append(Difference(where, f"endpoint {name}", name in old, name in new))
            checked += 1
            continue
        checked += _fields(f"{where} {name}", old[name], new[name], ENDPOINT_FIELDS, out)
    return checked


def _fields(
    where: str,
    stored: Mapping[str, Any],
    recomputed: Mapping[str, Any],
    names: Sequence[str],
    out: list[Difference],
) -> int:
    for name in names:
        old, new = stored.get(name), recomputed.get(name)
        # bool is an int in Python: True == 1 must not pass for a count.
        if old != new or isinstance(old, bool) != isinstance(new, bool):
            out.append(Difference(where, name, old, new))
    return len(names)


def render(recheck: Recheck) -> str:
    """The recomputed step table and the verdict, as a person reads them in a terminal."""
    summary = recheck.recomputed
    count = len(recheck.sample_files)
    lines = [
        f"{recheck.run_dir}: {summary['app']}, figures recomputed from "
        f"{count} samples file{'s' if count != 1 else ''} "
        f"({', '.join(p.name for p in recheck.sample_files)})",
        "",
        *_table(summary["steps"]),
        "",
        _login_line(summary),
        "",
    ]
    if recheck.matches:
        lines.append(
            f"OK: all {recheck.figures_checked} figures equal summary.json "
            "(per step and per endpoint: window, requests, req/s, avg, p50, p95, p99, max, "
            "failures; logins)"
        )
    else:
        lines.append(
            f"DIFFERENT: {len(recheck.differences)} of {recheck.figures_checked} figures "
            "differ from summary.json:"
        )
        lines += [f"  {difference}" for difference in recheck.differences]
    return "\n".join(lines) + "\n"


def _table(steps: Sequence[StepRow]) -> list[str]:
    rows = [[header for header, _, _ in TABLE]]
    for step in steps:
        row = dict(step)
        rows.append([_cell(row[key], digits) for _, key, digits in TABLE])
    widths = [max(len(r[i]) for r in rows) for i in range(len(TABLE))]
    return ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return num(None)
    return num(value, digits) if digits else f"{value:,}"


def _login_line(summary: Summary) -> str:
    login = summary["login"]
    return (
        f"logins (outside the steps): {login['requests']:,} requests, {login['failures']:,} "
        f"failed, avg {num(login['avg_ms'], 2)} ms, p95 {num(login['p95_ms'], 2)} ms"
    )
