"""The values settings hold beyond plain numbers and text (think time, ramps, endpoints),
and how each is parsed from what a person types. Standard library only."""

from __future__ import annotations

import ipaddress
import math
import random
import re
from dataclasses import dataclass

NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_THINK_RE = re.compile(rf"\A\s*({NUMBER})\s*(?:-\s*({NUMBER})\s*)?\Z")
_DIGITS_RE = re.compile(r"\A[0-9]+\Z")


class ReasonError(ValueError):
    """A parse failure with a better explanation than the kind's `what`."""


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


@dataclass(frozen=True, slots=True)
class Endpoint:
    """`host:port` of a TCP endpoint; host `*` means every address (to listen on)."""

    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_endpoint(text: str) -> Endpoint:
    """'10.0.0.1:5557', 'load-1:5557', '[::1]:5557' or '*:5557'."""
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ValueError(text)
    if host.startswith("[") and host.endswith("]"):
        host = str(ipaddress.IPv6Address(host[1:-1]))
    elif host != "*" and re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252})", host) is None:
        raise ValueError(text)
    return Endpoint(host=host, port=parse_int(port, lowest=1, highest=65535))
