"""The Locust command line and environment for one run: every load setting passed explicitly."""

from __future__ import annotations

import sys
from pathlib import Path

from infra.appservers import REPO, base_env
from loadtest.options import load_specs, option
from scripts.harness.plan import BenchPlan
from scripts.harness.results import RAW_DIR

LOCUSTFILE = REPO / "loadtest" / "locustfile.py"


def locust_argv(plan: BenchPlan, *, host: str, run_dir: Path, run_id: str) -> list[str]:
    """Headless through the step shape, or the web UI on loopback; settings as options."""
    raw = run_dir / RAW_DIR
    settings = plan.settings
    argv = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--host",
        host,
        "--loglevel",
        "WARNING",
        "--logfile",
        str(raw / "locust.log"),
    ]
    for spec in load_specs():
        argv += [option(spec), settings.shown(spec.name)]
    argv += ["--bench-run-id", run_id, "--bench-samples-dir", str(raw)]
    if plan.ui:
        # The class picker lets the user choose the ramp or a user count of their own.
        argv += ["--web-host", "127.0.0.1", "--web-port", str(settings.ui_port), "--class-picker"]
    else:
        argv += [
            "--headless",
            "--csv",
            str(raw / "locust"),
            "--csv-full-history",
            "--exit-code-on-error",
            "0",
        ]
    if settings.locust_processes > 1:
        argv += ["--processes", str(settings.locust_processes)]
    return argv


def locust_env() -> dict[str, str]:
    """Locust inherits nothing from the caller: what it reads is in its command line."""
    return base_env()
