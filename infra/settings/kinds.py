"""The kinds of value a setting can hold: how each is parsed from text and shown as text.

Standard library only: the settings table (infra/settings.py) is imported by `make help`
before any install, and by every Locust process.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

from infra.settings.values import (
    NUMBER,
    Endpoint,
    Ramp,
    ThinkTime,
    parse_endpoint,
    parse_int,
    parse_ramp,
    parse_think,
)

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it and fits on one line."""


@dataclass(frozen=True)
class Kind(Generic[T]):
    """How one setting's text becomes a value (`parse` raises ValueError) and back (`show`)."""

    what: str  # completes "RAMP='x' is not <what>"
    parse: Callable[[str], T]
    show: Callable[[T], str] = str


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
        if re.fullmatch(NUMBER, text) is None:
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


def address() -> Kind[str]:
    """An IPv4 or IPv6 address literal (`0.0.0.0` and `::` mean every address)."""

    def parse(value: str) -> str:
        return str(ipaddress.ip_address(value))

    return Kind("an IP address such as 10.0.0.2 (0.0.0.0: every address)", parse)


def endpoint() -> Kind[Endpoint]:
    return Kind("host:port, e.g. 10.0.0.1:5557 (host * = every address)", parse_endpoint)


def url_or_path() -> Kind[str]:
    """An http(s) URL with a host, or a file path."""

    def parse(value: str) -> str:
        if "://" in value:
            return http_url().parse(value)
        return value

    return Kind("an http:// URL or a file path", parse)


def postgres_url() -> Kind[str]:
    def parse(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
            raise ValueError(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        return value

    return Kind("a postgresql://user:password@host:port/database URL", parse)


def names() -> Kind[tuple[str, ...]]:
    """'floor fastapi django' (or with commas): names, in order."""

    def parse(text: str) -> tuple[str, ...]:
        parts = tuple(text.replace(",", " ").split())
        if not parts or any(re.fullmatch(r"[a-z][a-z0-9-]*", p) is None for p in parts):
            raise ValueError(text)
        return parts

    return Kind("a list of app names (e.g. 'floor fastapi django')", parse, " ".join)


def rates() -> Kind[tuple[float, ...]]:
    """'50 100 150' (or with commas): requests per second, each > 0."""

    def parse(text: str) -> tuple[float, ...]:
        parts = text.replace(",", " ").split()
        values = tuple(float(p) for p in parts if re.fullmatch(NUMBER, p))
        if not parts or len(values) != len(parts) or min(values) <= 0:
            raise ValueError(text)
        return values

    return Kind(
        "a list of request rates > 0 (e.g. '50 100 150')",
        parse,
        lambda values: " ".join(f"{v:g}" for v in values),
    )


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
