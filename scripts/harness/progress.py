"""The live progress line of a run: redrawn in place on a terminal, a plain line in logs."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.live import Live

from infra.settings.values import AutoRamp
from scripts.harness.plan import BenchPlan
from scripts.harness.results import RAW_DIR

PLAIN_PROGRESS_SECONDS = 15.0


def _history_row(run_dir: Path) -> dict[str, str] | None:
    """The newest aggregated row of Locust's stats history."""
    path = run_dir / RAW_DIR / "locust_stats_history.csv"
    try:
        with path.open(newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r.get("Name") == "Aggregated"]
    except OSError:
        return None
    return rows[-1] if rows else None


def progress_text(plan: BenchPlan, run_dir: Path, elapsed: float) -> str:
    """`step n/m | users | rps | p95 | failures | time left`, from Locust's live CSV."""
    steps_done = 0
    journal = run_dir / RAW_DIR / "steps.jsonl"
    if journal.exists():
        steps_done = sum(1 for line in journal.read_text().splitlines() if line.strip())
    ramp = plan.settings.steps_ramp
    total = plan.settings.planned_steps()
    shown_total = f"<={total}" if isinstance(ramp, AutoRamp) else str(total)
    current = steps_done + 1 if isinstance(ramp, AutoRamp) else min(steps_done + 1, total)
    row = _history_row(run_dir) or {}
    left = max(0.0, plan.planned_seconds() - elapsed)
    return (
        f"{plan.app}: step {current}/{shown_total} | users {row.get('User Count', '-')} | "
        f"rps {_num(row.get('Requests/s'))} | p95 {_num(row.get('95%'))} ms | "
        f"failures {row.get('Total Failure Count', '-')} | ~{left:.0f} s left"
    )


def _num(text: str | None) -> str:
    try:
        return f"{float(text or ''):.1f}"
    except ValueError:
        return "-"


class Progress:
    """Shows `progress_text` about once a second on a terminal, every 15 s otherwise."""

    def __init__(self, plan: BenchPlan, run_dir: Path) -> None:
        self.plan = plan
        self.run_dir = run_dir
        self.console = Console(stderr=True)
        self.live = Live(console=self.console, refresh_per_second=1, transient=True)
        self.started = time.monotonic()
        self._last_plain = 0.0

    def __enter__(self) -> Progress:
        if self.console.is_terminal:
            self.live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.console.is_terminal:
            self.live.stop()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def update(self) -> None:
        text = progress_text(self.plan, self.run_dir, self.elapsed)
        if self.console.is_terminal:
            self.live.update(text)
        elif time.monotonic() - self._last_plain >= PLAIN_PROGRESS_SECONDS:
            print(text, file=sys.stderr, flush=True)
            self._last_plain = time.monotonic()
