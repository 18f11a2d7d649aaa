"""Number and setting formatting shared by the Markdown tables and the chart titles."""

from __future__ import annotations

import shlex
from typing import Any

DASH = "-"
NOT_MEASURED = "not measured"


def num(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def measured(value: float | None, digits: int = 0) -> str:
    """A resource figure, or "not measured" (never 0) when no host recorded it."""
    return NOT_MEASURED if value is None else num(value, digits)


def pct(ratio: float | None) -> str:
    return DASH if ratio is None else f"{ratio * 100:.2f} %"


def think_text(think: Any) -> str:
    """ "1 s" or "0.5 to 1.5 s" from a number, [low, high] or {"low_s", "high_s"}."""
    if think is None:
        return "not recorded"
    if isinstance(think, dict) and {"low_s", "high_s"} <= think.keys():
        think = [think["low_s"], think["high_s"]]
    elif isinstance(think, dict) and "text" in think:
        think = think["text"]
    if isinstance(think, list) and len(think) == 2 and all(_is_number(v) for v in think):
        low, high = think
        return f"{low:g} s" if low == high else f"{low:g} to {high:g} s"
    if _is_number(think):
        return f"{think:g} s"
    return str(think)


def machine_text(machine: Any) -> str:
    """One line for a machine description: a string as is, a dict as `key value` pairs."""
    if machine is None:
        return "machine not recorded"
    if isinstance(machine, dict) and "cpu_model" in machine:
        parts = [str(machine["cpu_model"])]
        if machine.get("logical_cores") is not None:
            parts.append(f"{machine['logical_cores']} logical cores")
        if machine.get("memory_mb") is not None:
            parts.append(f"{machine['memory_mb']} MB RAM")
        parts += [str(machine[k]) for k in ("os", "arch") if machine.get(k)]
        return ", ".join(parts)
    if isinstance(machine, dict):
        return ", ".join(
            f"{k} {v}"
            for k, v in machine.items()
            if isinstance(v, str | int | float) and not isinstance(v, bool)
        )
    return str(machine)


def command_text(command: Any) -> str:
    if command is None:
        return "command not recorded"
    if isinstance(command, list):
        return shlex.join(str(part) for part in command)
    return str(command)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
