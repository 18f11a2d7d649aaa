"""The load generator's ledger (raw/loadgen.json): did every request reach the run folder?

Locust writes the ledger as a test ends (loadtest/transport.py): per source of samples (the
one Locust process, or each worker) the rows it sent and the rows written, and Locust's own
request count. A run whose ledger does not add up is refused: its per-step figures would be
computed from part of the requests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.harness.errors import HarnessError
from scripts.harness.fmt import NOT_MEASURED, num
from scripts.harness.meta import read_json_object
from scripts.harness.summary import LoadgenRow, Summary

LEDGER_FILE = "loadgen.json"
# Runs recorded before the ledger existed say nothing about it in meta.json.
META_KEY = "locust_workers"
# The target for the load generator: a fifth of a core per 1000 requests per second.
LOADGEN_COST_TARGET = 20.0
CLOCK_WARNING_S = 0.5
SATURATED_MARK = "‡"  # a step whose load host ran out of CPU (scripts/harness/saturation.py)


def check_ledger(raw_dir: Path, *, rows_in_files: int, required: bool) -> LoadgenRow | None:
    """The ledger's summary; HarnessError naming every problem when samples went missing."""
    path = raw_dir / LEDGER_FILE
    if not path.is_file():
        if required:
            raise HarnessError(f"{path}: missing; Locust did not finish recording its samples")
        return None
    ledger = read_json_object(path)
    try:
        sources: list[dict[str, Any]] = list(ledger["sources"])
        locust_requests = int(ledger["locust_requests"])
        problems = [p for source in sources for p in _source_problems(source)]
        written = sum(int(source["rows_written"]) for source in sources)
    except (KeyError, TypeError, ValueError) as exc:
        raise HarnessError(f"{path}: not a load generator ledger ({exc!r})") from None
    expected = ledger.get("workers_expected")
    if isinstance(expected, int) and len(sources) < expected:
        problems.append(f"only {len(sources)} of {expected} workers sent samples")
    # After the web UI's "Reset stats" Locust's count covers only part of the test.
    if written != locust_requests and not ledger.get("locust_stats_reset"):
        problems.append(f"Locust counted {locust_requests} requests, the ledger {written} rows")
    if rows_in_files != written:
        problems.append(f"the samples files hold {rows_in_files} rows, the ledger {written}")
    if problems:
        raise HarnessError(f"{path}: samples missing: {'; '.join(problems)}")
    offsets = [abs(s["clock_offset_s"]) for s in sources if s.get("clock_offset_s") is not None]
    return {
        "mode": str(ledger.get("mode", "")),
        "workers": len(sources) if ledger.get("mode") == "distributed" else 0,
        "rows": written,
        "locust_requests": locust_requests,
        "max_clock_offset_s": round(max(offsets), 4) if offsets else None,
    }


def _source_problems(source: dict[str, Any]) -> list[str]:
    name = f"{source['name']} ({source.get('host') or 'unknown host'})"
    problems = []
    if not source["final"]:
        problems.append(f"{name} never sent its final rows")
    if int(source["rows_sent"]) != int(source["rows_written"]):
        problems.append(f"{name} sent {source['rows_sent']} rows, {source['rows_written']} arrived")
    for key, what in (("missing_batches", "batches lost"), ("bad_batches", "malformed batches")):
        if source.get(key):
            problems.append(f"{name}: {source[key]} {what}")
    return problems


def loadgen_notes(summary: Summary) -> list[str]:
    """summary.md's lines about the samples' ledger, clocks, the generator's cost, resources."""
    notes = [
        f"{SATURATED_MARK} {s['users']} users: {s['load_host_saturated']}; the measuring side "
        "may have added its own queueing to these figures."
        for s in summary["steps"]
        if s.get("load_host_saturated")
    ]
    ledger = summary.get("loadgen")
    if ledger:
        source = (
            f"{ledger['workers']} Locust workers" if ledger["mode"] == "distributed" else "Locust"
        )
        notes.append(
            f"Samples: all {ledger['locust_requests']} requests Locust counted are in the raw "
            f"samples (from {source})."
        )
        offset = ledger["max_clock_offset_s"]
        if offset is not None and offset > CLOCK_WARNING_S:
            notes.append(
                f"Clocks: a worker's clock differs from the master's by up to {offset:.2f} s; "
                "its samples fall into shifted step windows (synchronise the clocks with NTP)."
            )
    cost = summary.get("loadgen_cpu_per_1k_rps")
    busiest = max(summary["steps"], key=lambda step: step.get("rps") or 0.0, default=None)
    if cost is not None and busiest is not None:
        notes.append(
            f"Load generator cost: {num(cost)} % of a core per 1,000 req/s at the busiest step "
            f"({num(busiest.get('rps'))} req/s; a fixed cost weighs more at low rates; "
            f"target: at most {LOADGEN_COST_TARGET:g} %)."
        )
    resource_keys = ("app_cpu_pct", "app_rss_mb", "db_cpu_pct", "nginx_cpu_pct")
    if any(step.get(key) is None for step in summary["steps"] for key in resource_keys):
        notes.append(
            f"Figures marked *{NOT_MEASURED}* ran on a host that recorded none: with "
            "`TARGET_URL`, the app host records its app, Nginx and a local PostgreSQL with "
            "`RESOURCES_PORT` (and `APP_RESOURCES` here); a database on a host of its own is "
            "not measured."
        )
    return notes
