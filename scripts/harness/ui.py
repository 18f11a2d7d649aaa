"""`make ui-<app>`: one Locust web UI session, from a free UI_PORT to a run folder.

The web UI offers two shapes (Locust's --class-picker): SteppedRamp, the RAMP a benchmark
runs, and "Default", the user count and spawn rate typed in the form (changeable while the
test runs; loadtest/manual.py journals each count as a step). The session ends when its
test stops (the Stop button, or the end of the ramp) or on Ctrl-C; its samples then become
a run folder like a benchmark's, with summary.md, summary.json and the charts. One test per
session, as one run per database: another test is another `make ui-<app>`.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from infra import ports
from infra.procs import ManagedProcess, tcp_open, wait_until
from infra.settings import Settings
from infra.settings.kinds import ConfigError
from infra.stack import Stack
from scripts.harness.build import build_single_run_report
from scripts.harness.fmt import think_text
from scripts.harness.markdown import settings_sentence
from scripts.harness.meta import load_meta
from scripts.harness.plan import BenchPlan
from scripts.harness.results import RAW_DIR, mark_complete, write_run_file, write_run_json
from scripts.harness.runmeta import update_meta
from scripts.harness.summary import Summary

UI_PURPOSE = "Locust web UI, UI_PORT"
HOST = "127.0.0.1"
STEPS_FILE = "steps.jsonl"


def check_ui_port(settings: Settings) -> None:
    """UI_PORT must be free and none of the stack's ports: one line naming it otherwise."""
    if settings.target_url is None:
        taken = {"NGINX_PORT": settings.nginx_port, "APP_PORT": settings.app_port}
        if settings.database_url is None:
            taken["PG_PORT"] = settings.pg_port
        for name, port in taken.items():
            if port == settings.ui_port:
                raise ConfigError(f"UI_PORT={port} is also {name}; choose another port")
    ports.ensure_free(settings.ui_port, purpose=UI_PURPOSE)


def watch_ui(locust: ManagedProcess, plan: BenchPlan, *, stack: Stack | None) -> int:
    """Print the UI's address once it answers; return when its test has ended (or Ctrl-C),
    with Locust stopped, so that its samples and journal are on disk."""
    port = plan.settings.ui_port
    url = f"http://{HOST}:{port}"
    try:
        wait_until(lambda: tcp_open(HOST, port), timeout=60, what="Locust web UI", watch=locust)
        print(
            f"{plan.app}: Locust web UI at {url}\n"
            f"{plan.app}: pick SteppedRamp (RAMP) or Default (the users you type), then Start; "
            "Stop (or Ctrl-C here) ends the run and writes its summary",
            file=sys.stderr,
            flush=True,
        )
        while runner_state(url) != "stopped":
            if not locust.alive():
                _locust_exited(locust, port)
            if stack is not None:
                stack.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        print(f"{plan.app}: Ctrl-C: ending the web UI run", file=sys.stderr, flush=True)
    # SIGTERM: Locust stops the test, which closes the journal, and flushes its samples.
    locust.stop(timeout=30)
    return locust.popen.returncode


def runner_state(url: str) -> str | None:
    """Locust's runner state ("ready", "running", "stopped", ...), None when it does not say."""
    try:
        with urllib.request.urlopen(f"{url}/stats/requests", timeout=5) as resp:  # noqa: S310 - loopback URL we built
            state = json.load(resp).get("state")
    except (urllib.error.URLError, OSError, ValueError, AttributeError):
        return None
    return state if isinstance(state, str) else None


def _locust_exited(locust: ManagedProcess, port: int) -> None:
    # Locust that could not bind UI_PORT exits with only a traceback in its log.
    ports.ensure_free(port, purpose=UI_PURPOSE)
    locust.check_alive()


def finish_ui_run(run_dir: Path) -> bool:
    """Turn the session's samples into a complete run folder; False when no test ran."""
    app = run_dir.name.rsplit("-", 1)[-1]
    steps = first_test(run_dir / RAW_DIR / STEPS_FILE)
    if not steps:
        print(f"{app}: no test was run in the web UI; nothing to summarize", file=sys.stderr)
        return False
    write_run_file(run_dir, f"{RAW_DIR}/{STEPS_FILE}", "".join(json.dumps(s) + "\n" for s in steps))
    manual = steps[0].get("shape") == "manual"
    if manual:
        update_meta(run_dir, **manual_meta(steps, _meta_spawn_rate(run_dir)))
    else:
        update_meta(run_dir, ui={"shape": "SteppedRamp"})
    write_run_json(run_dir, "invariants.json", load_meta(run_dir)["invariants"])
    summary = build_single_run_report(run_dir)
    if manual:
        _describe_manual(run_dir, summary, steps)
    mark_complete(run_dir)
    print(f"{app}: web UI run complete -> {run_dir / 'summary.md'}", file=sys.stderr)
    return True


def first_test(journal: Path) -> list[dict[str, Any]]:
    """The journal's steps up to the start of a second test (indices restart at 0)."""
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    steps: list[dict[str, Any]] = []
    for line in lines:
        if not line.strip():
            continue
        step = json.loads(line)
        if steps and step.get("index") == 0:
            break
        steps.append(step)
    return steps


def manual_meta(steps: list[dict[str, Any]], default_rate: float) -> dict[str, Any]:
    """meta.json for a manual test: the counts that were in force are its ramp, and the
    slowest spawn rate typed discards the longest ramp-up (never too little)."""
    rates = [float(s["spawn_rate"]) for s in steps if s.get("spawn_rate")]
    longest = max(float(s["end"]) - float(s["start"]) for s in steps)
    return {
        "ui": {"shape": "manual", "spawn_rates": rates},
        "ramp": [int(s["users"]) for s in steps],
        "auto_ramp": None,
        "spawn_rate": min(rates, default=default_rate),
        "step_seconds": round(longest, 1),
    }


def manual_sentence(summary: Summary, steps: list[dict[str, Any]]) -> str:
    counts = ", ".join(
        f"{int(s['users'])} users for {float(s['end']) - float(s['start']):.0f} s" for s in steps
    )
    return (
        f"Web UI run with user counts set by hand: {counts} (spawn rate "
        f"{summary['spawn_rate']:g}/s). Think time {think_text(summary['think'])} per user after "
        f"each request, SLO {summary['slo_ms']:g} ms on the average response time; of each "
        f"step the ramp-up and the next {summary['settle_seconds']:g} s are discarded."
    )


def _describe_manual(run_dir: Path, summary: Summary, steps: list[dict[str, Any]]) -> None:
    # The benchmark's sentence speaks of a planned ramp and equal steps: not what ran here.
    path = run_dir / "summary.md"
    text = path.read_text(encoding="utf-8")
    write_run_file(
        run_dir,
        "summary.md",
        text.replace(settings_sentence(summary), manual_sentence(summary, steps), 1),
    )


def _meta_spawn_rate(run_dir: Path) -> float:
    return float(load_meta(run_dir)["spawn_rate"])
