"""A run's meta.json: everything that shaped the run, written before it starts."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.appservers import REPO
from infra.settings import Settings
from infra.settings.values import AutoRamp
from scripts.harness import machine
from scripts.harness.meta import META_FILE, load_meta
from scripts.harness.plan import BenchPlan
from scripts.harness.results import write_run_json


def initial_meta(plan: BenchPlan, run_dir: Path, argv: list[str], run_id: str) -> dict[str, Any]:
    settings = plan.settings
    think = settings.think
    ramp = settings.steps_ramp
    return {
        "app": plan.app,
        "variant": plan.variant,
        "complete": False,
        "run_dir": run_dir.name,
        "run_id": run_id,
        "command": command_line(settings, argv),
        "make_target": settings.make_target,
        "git": machine.git_state(REPO),
        "versions": machine.versions(),
        "machine": machine.machine(),
        "ramp": str(ramp) if isinstance(ramp, AutoRamp) else list(ramp.users),
        "auto_ramp": (
            {
                "start": ramp.start,
                "max_users": settings.auto_max_users,
                "max_steps": settings.auto_max_steps,
            }
            if isinstance(ramp, AutoRamp)
            else None
        ),
        "step_seconds": settings.step_seconds,
        "settle_seconds": settings.settle,
        "spawn_rate": settings.spawn_rate,
        "think": {"text": str(think), "low_s": think.low, "high_s": think.high},
        "slo_ms": settings.slo_ms,
        "locust_processes": settings.locust_processes,
        "locust_workers": settings.locust_workers,
        "master": str(settings.master) if settings.locust_workers else None,
        "target_url": settings.target_url,
        # Every variable of infra/settings.py with its value in force (secrets redacted),
        # and the names the user set.
        "settings": settings.record(),
        "settings_set": sorted(settings.explicit),
        "started_at": datetime.now(UTC).isoformat(),
        "finished_at": None,
    }


def update_meta(run_dir: Path, **changes: Any) -> None:
    meta = load_meta(run_dir)
    meta.update(changes)
    write_run_json(run_dir, META_FILE, meta)


def command_line(settings: Settings, argv: list[str]) -> str:
    """The command that reproduces this run: the make target and every variable that was set."""
    target = settings.make_target
    head = f"make {target}" if target else "python -m scripts.bench " + " ".join(argv[1:])
    shown = settings.record()
    parts = [head]
    for spec in settings.specs():
        if spec.name in settings.explicit and spec.name not in ("MAKE_TARGET", "APP"):
            parts.append(f"{spec.name}={shlex.quote(shown[spec.name])}")
    return " ".join(parts)
