"""Is the measuring side the bottleneck? The host that runs the load beside PostgreSQL and
Nginx (this project's one-machine setup), judged from its whole-machine CPU readings.

A Locust process above 90 % of its core is caught per process (steps.py); this catches the
cores the load shares with the database and Nginx running out, whoever uses them (Locust,
PostgreSQL, Nginx, or anything else on the machine), which per-process readings miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scripts.harness.resources import ResourceWindow

HOST_LIMIT_PCT = 90.0


@dataclass(frozen=True)
class LoadHost:
    """What ran on the host of the harness: the stack or not, and the app's own cores."""

    stack_here: bool = True
    reserved_cores: int = 0  # cores confined to the app, away from everything else

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> LoadHost:
        stack = meta.get("stack")
        if not isinstance(stack, dict):
            return cls(stack_here=False)
        applied = (stack.get("envelope") or {}).get("applied") or {}
        app = set(applied.get("app_cores") or ())
        others = set(applied.get("other_cores") or ())
        # Only a placement that kept the others off the app's cores reserves them.
        reserved = len(app) if app and others and not app & others else 0
        return cls(stack_here=True, reserved_cores=reserved)


def load_host_saturation(
    usage: ResourceWindow, host: LoadHost, *, limit_pct: float = HOST_LIMIT_PCT
) -> str | None:
    """Why the cores beside the app were saturated in this window, or None if they were not."""
    if usage.host_cpu_pct is None or usage.host_cores is None:
        return None
    cores = max(1, usage.host_cores - host.reserved_cores)
    app_elsewhere = (usage.app_cpu_pct or 0.0) if host.reserved_cores else 0.0
    busy = max(0.0, usage.host_cpu_pct - app_elsewhere)
    if busy / cores <= limit_pct:
        return None
    parts = [("Locust", usage.loadgen_here_cpu_pct)]
    if host.stack_here:
        parts += [("PostgreSQL", usage.db_cpu_pct), ("Nginx", usage.nginx_cpu_pct)]
        if not host.reserved_cores:
            parts.append(("the app", usage.app_cpu_pct))
    known = [(name, value) for name, value in parts if value is not None]
    other = max(0.0, busy - sum(value for _, value in known))
    listed = ", ".join(f"{name} {value:.0f} %" for name, value in [*known, ("other", other)])
    where = f"{cores} core{'s' if cores > 1 else ''}" + (
        " beside the app" if host.reserved_cores else ""
    )
    return (
        f"load host saturated: its {where} {busy / cores:.0f} % busy "
        f"(limit {limit_pct:g} %; in % of one core: {listed})"
    )
