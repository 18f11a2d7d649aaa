"""The tracked results stay small: a budget per run folder and for results/ as a whole.

Measured: the sum of the sizes of the files `git ls-files results/` lists (read from the
working tree). Tracked files, because the budget guards what every clone carries; runs a
person makes locally and does not commit must not fail the suite. Their compressed files
(gzip samples, PNG charts) are already about the size git stores, so this also tracks how
much each run adds to the repository's packed size.

A run's size follows the requests it measured: its gzipped samples take about 9-10 bytes
a request and are most of it, its charts and summaries about 0.3 MB. Measured on the
committed sessions (see the README's "How these were made"): a run of the study's ramp
(40..80 users, 30 s steps, ~15 000 requests) 0.5-0.6 MB; the floor's auto ramp up to
~1,570 req/s (~295 000 requests, profiled) 3.3 MB, the largest. RUN_BUDGET leaves room
above that; TOTAL_BUDGET holds the sessions the README cites (the study's ramp, Django's
CONN_MAX_AGE=0, the five-app matrix of 33 MB and the open loop, 3 trials each: 45.3 MB)
with about 15 MB of room for new sessions before old ones must be pruned. Past it,
`make prune-results` removes the runs no report cites (they stay in git history).
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from pathlib import Path

from scripts.harness.prune import RUN_FOLDER

REPO = Path(__file__).resolve().parents[2]
MB = 1_000_000
RUN_BUDGET = 4 * MB
TOTAL_BUDGET = 60 * MB


def tracked_results() -> dict[str, int]:
    """Size of every tracked file under results/ that exists in the working tree."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--", "results"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    sizes = {}
    for name in filter(None, listed.split("\0")):
        path = REPO / name
        if path.is_file():  # a tracked file deleted by `make prune-results` no longer counts
            sizes[name] = path.stat().st_size
    return sizes


def run_of(name: str) -> str | None:
    """The run folder a tracked file belongs to: results/<session>/runs/<run>/..., or a
    single run from before sessions, results/<run>/... (a session's own files: None)."""
    parts = Path(name).parts
    if len(parts) > 4 and parts[2] == "runs" and RUN_FOLDER.fullmatch(parts[3]):
        return "/".join(parts[1:4])
    if len(parts) > 2 and RUN_FOLDER.fullmatch(parts[1]) and not _is_session(parts[1]):
        return parts[1]
    return None


def _is_session(folder: str) -> bool:
    return (REPO / "results" / folder / "session.json").is_file()


def per_run(sizes: dict[str, int]) -> dict[str, int]:
    runs: dict[str, int] = defaultdict(int)
    for name, size in sizes.items():
        run = run_of(name)
        if run is not None:
            runs[run] += size
    return dict(runs)


def test_tracked_results_stay_under_the_total_budget() -> None:
    sizes = tracked_results()
    assert per_run(sizes), "no tracked run folder under results/"
    total = sum(sizes.values())
    assert total <= TOTAL_BUDGET, (
        f"tracked results/ holds {total / MB:.1f} MB, over the {TOTAL_BUDGET / MB:g} MB "
        "budget: `make prune-results` lists the runs no report cites"
    )


def test_every_tracked_run_stays_under_the_per_run_budget() -> None:
    over = {
        run: f"{size / MB:.2f} MB"
        for run, size in per_run(tracked_results()).items()
        if size > RUN_BUDGET
    }
    assert over == {}, f"runs over the {RUN_BUDGET / MB:g} MB per-run budget"


def test_tracked_runs_are_sealed_with_compressed_samples_and_no_locust_html() -> None:
    tracked = list(tracked_results())
    names = [Path(name) for name in tracked]
    runs = {run for name in tracked if (run := run_of(name)) is not None}
    unsealed = [
        str(name)
        for name in names
        if name.name == "locust.html"
        or name.name == "INCOMPLETE"
        or (name.name.startswith("samples-") and name.suffix == ".csv")
    ]
    assert unsealed == []
    with_samples = {run_of(str(n)) for n in names if n.name.startswith("samples-")}
    assert with_samples == runs, "every tracked run keeps its raw samples"
