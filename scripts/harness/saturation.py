"""Is the measuring side the bottleneck? The cores the load runs on, beside PostgreSQL and
Nginx in this project's one-machine setup, judged from their own CPU readings.

A Locust process above 90 % of its core makes a step invalid (steps.py). This flags the
other way the measuring side runs out: the cores Locust shares with the database and
Nginx (everything but the app's, when the app is confined) busy above 90 %, whoever used
them (Locust, PostgreSQL, Nginx, or anything else on the machine). The step keeps its
figures and its validity, and the summary says which part used the cores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scripts.harness.resources import ResourceWindow

LOAD_HOST_LIMIT_PCT = 90.0


@dataclass(frozen=True)
class LoadHost:
    """What ran on the cores of the load: the stack or not, and the app among them or not."""

    stack_here: bool = True
    app_beside: bool = True  # the app was not kept off the load's cores

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> LoadHost:
        stack = meta.get("stack")
        if not isinstance(stack, dict):
            return cls(stack_here=False, app_beside=False)
        applied = (stack.get("envelope") or {}).get("applied") or {}
        app = set(applied.get("app_cores") or ())
        others = set(applied.get("other_cores") or ())
        # Only a placement that kept the others off the app's cores separates them.
        return cls(stack_here=True, app_beside=not (app and others and not app & others))


def load_cores_busy_pct(usage: ResourceWindow) -> float | None:
    """How busy the load's cores were, in percent of all of them (100 = every one busy)."""
    if usage.load_cores_cpu_pct is None or not usage.load_cores:
        return None
    return usage.load_cores_cpu_pct / usage.load_cores


def load_host_saturation(
    usage: ResourceWindow, host: LoadHost, *, limit_pct: float = LOAD_HOST_LIMIT_PCT
) -> str | None:
    """Why the load's cores were saturated in this window, or None if they were not."""
    busy_pct = load_cores_busy_pct(usage)
    if busy_pct is None or busy_pct <= limit_pct or usage.load_cores_cpu_pct is None:
        return None
    parts = [("Locust", usage.loadgen_here_cpu_pct)]
    if host.stack_here:
        parts += [("PostgreSQL", usage.db_cpu_pct), ("Nginx", usage.nginx_cpu_pct)]
        if host.app_beside:
            parts.append(("the app", usage.app_cpu_pct))
    known = [(name, value) for name, value in parts if value is not None]
    other = max(0.0, usage.load_cores_cpu_pct - sum(value for _, value in known))
    listed = ", ".join(f"{name} {value:.0f} %" for name, value in [*known, ("other", other)])
    cores = f"{usage.load_cores} core{'s' if usage.load_cores != 1 else ''}"
    return (
        f"load host saturated: the {cores} running the load {busy_pct:.0f} % busy "
        f"(limit {limit_pct:g} %; in % of one core: {listed})"
    )
