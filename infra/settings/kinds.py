"""The kinds of value a setting can hold: how each is parsed from text and shown as text.

Standard library only: the settings table (infra/settings.py) is imported by `make help`
before any install, and by every Locust process.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_THINK_RE = re.compile(rf"\A\s*({_NUMBER})\s*(?:-\s*({_NUMBER})\s*)?\Z")
_DIGITS_RE = re.compile(r"\A[0-9]+\Z")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it and fits on one line."""


class ReasonError(ValueError):
    """A parse failure with a better explanation than the kind's `what`."""


@dataclass(frozen=True)
class Kind(Generic[T]):
    """How one setting's text becomes a value (`parse` raises ValueError) and back (`show`)."""

    what: str  # completes "RAMP='x' is not <what>"
    parse: Callable[[str], T]
    show: Callable[[T], str] = str


@dataclass(frozen=True, slots=True)
class ThinkTime:
    """Uniform pause in [low, high] seconds; low == high is a constant pause."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("think time bounds must be finite")
        if not 0 <= self.low <= self.high:
            raise ValueError("think time needs 0 <= low <= high")

    def sample(self, rng: random.Random) -> float:
        return self.low if self.low == self.high else rng.uniform(self.low, self.high)

    def __str__(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class FixedRamp:
    """Run every step, in order."""

    users: tuple[int, ...]

    def __str__(self) -> str:
        return " ".join(map(str, self.users))


@dataclass(frozen=True)
class AutoRamp:
    """Start at `start` users and grow while the SLO holds (bounds are separate settings)."""

    start: int

    def __str__(self) -> str:
        return f"auto:{self.start}"


Ramp = FixedRamp | AutoRamp
AUTO_START = 40


def parse_think(text: str) -> ThinkTime:
    """'0.25-0.75' (uniform), '0.5' (constant) or '0' (none), in seconds."""
    match = _THINK_RE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not 'low-high' or a single number of seconds")
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) is not None else low
    if low > high:
        raise ReasonError("low must not exceed high")
    return ThinkTime(low=low, high=high)


def parse_ramp(text: str) -> Ramp:
    """'40 50 60' (or with commas), 'auto' or 'auto:<start users>'."""
    if text == "auto" or text.startswith("auto:"):
        start = text.removeprefix("auto").removeprefix(":") or str(AUTO_START)
        return AutoRamp(start=parse_int(start, lowest=1))
    parts = text.replace(",", " ").split()
    if not parts:
        raise ValueError(text)
    return FixedRamp(users=tuple(parse_int(part, lowest=1) for part in parts))


def parse_int(text: str, *, lowest: int = 0, highest: int | None = None) -> int:
    """Decimal digits only (no sign, no '1_000', no '1.0'), within [lowest, highest]."""
    if _DIGITS_RE.match(text) is None:
        raise ValueError(text)
    value = int(text)
    if value < lowest or (highest is not None and value > highest):
        raise ValueError(text)
    return value


def integer(lowest: int, highest: int | None = None) -> Kind[int]:
    if highest is None:
        what = f"a whole number >= {lowest}"
    else:
        what = f"a whole number from {lowest} to {highest}"
    return Kind(what, lambda text: parse_int(text, lowest=lowest, highest=highest))


def port() -> Kind[int]:
    return integer(1, 65535)


def number(*, above: float | None = None, at_least: float | None = None) -> Kind[float]:
    """Finite decimals, strictly above `above` and/or at least `at_least`."""
    bound = f"> {above:g}" if above is not None else f">= {at_least:g}"

    def parse(text: str) -> float:
        if re.fullmatch(_NUMBER, text) is None:
            raise ValueError(text)
        value = float(text)
        if (above is not None and value <= above) or (at_least is not None and value < at_least):
            raise ValueError(text)
        return value

    return Kind(f"a number {bound}", parse, lambda value: f"{value:g}")


def boolean() -> Kind[bool]:
    """1/0, yes/no, true/false, on/off (any case)."""
    words = {"1": True, "yes": True, "true": True, "on": True}
    words |= {"0": False, "no": False, "false": False, "off": False}

    def parse(text: str) -> bool:
        if text.lower() not in words:
            raise ValueError(text)
        return words[text.lower()]

    return Kind("1 or 0 (yes/no, true/false, on/off)", parse, lambda v: "1" if v else "0")


def choice(*options: str) -> Kind[str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text

    return Kind(f"one of: {', '.join(options)}", parse)


def optional(kind: Kind[T]) -> Kind[T | None]:
    """Blank means None (the documented 'unset' default)."""

    def show(value: T | None) -> str:
        return "" if value is None else kind.show(value)

    return Kind(kind.what, lambda text: kind.parse(text) if text else None, show)


def text(what: str = "text") -> Kind[str]:
    return Kind(what, lambda value: value)


def label() -> Kind[str]:
    def parse(value: str) -> str:
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.=+-]{0,59}", value) is None:
            raise ValueError(value)
        return value

    return Kind("1-60 characters of [A-Za-z0-9_.=+-]", parse)


def path() -> Kind[Path]:
    return Kind("a path", Path)


def http_url() -> Kind[str]:
    def parse(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        return value.rstrip("/")

    return Kind("an http:// or https:// URL with a host", parse)


def postgres_url() -> Kind[str]:
    def parse(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
            raise ValueError(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        return value

    return Kind("a postgresql://user:password@host:port/database URL", parse)


def ramp() -> Kind[Ramp]:
    return Kind(
        "a list of user counts >= 1 (e.g. '40 50 60'), 'auto' or 'auto:<start>'", parse_ramp
    )


def think() -> Kind[ThinkTime]:
    return Kind("'low-high' or a number of seconds >= 0", parse_think)


def auto_or(kind: Kind[T]) -> Kind[T | None]:
    """'auto' (None: derived from other settings) or a value of `kind`."""

    def show(value: T | None) -> str:
        return "auto" if value is None else kind.show(value)

    return Kind(f"'auto' or {kind.what}", lambda t: None if t == "auto" else kind.parse(t), show)


def redact(url: str) -> str:
    """The URL with any password replaced, for logs and metadata."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
