"""Documented environment variables: defaults, parsing, and one-line errors naming the variable.

Shared by the stack settings (infra/config.py) and the load settings (loadtest/settings.py);
standard library only, because Locust imports it in every load generator process.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it and fits on one line."""


@dataclass(frozen=True)
class Var:
    """One documented environment variable."""

    name: str
    default: str
    help: str


class EnvReader:
    """Reads the variables of one documented set from an environment mapping."""

    def __init__(self, env: Mapping[str, str], variables: Iterable[Var]) -> None:
        self.env = env
        self.defaults = {var.name: var.default for var in variables}

    def get(self, name: str) -> str:
        """The stripped value, or the documented default when unset or blank."""
        return self.env.get(name, "").strip() or self.defaults[name]

    def parse(self, name: str, kind: Callable[[str], T], what: str) -> T:
        """`kind(value)`; a ValueError becomes ConfigError("NAME='value' is not <what>")."""
        raw = self.get(name)
        try:
            return kind(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not {what}") from None


def integer(lowest: int, highest: int | None = None) -> Callable[[str], int]:
    """A parser for integers in [lowest, highest]."""

    def parse(raw: str) -> int:
        value = int(raw)
        if value < lowest or (highest is not None and value > highest):
            raise ValueError(raw)
        return value

    return parse


def number(*, above: float | None = None, at_least: float | None = None) -> Callable[[str], float]:
    """A parser for finite floats, strictly above `above` and/or at least `at_least`."""

    def parse(raw: str) -> float:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
        if (above is not None and value <= above) or (at_least is not None and value < at_least):
            raise ValueError(raw)
        return value

    return parse
