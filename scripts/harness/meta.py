"""The run's meta.json: the settings the analysis needs, checked loudly."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from scripts.harness.errors import HarnessError

META_FILE = "meta.json"


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object from `path`; HarnessError (one line, naming the file) otherwise."""
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{path}: missing") from None
    except ValueError as exc:
        raise HarnessError(f"{path}: not JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise HarnessError(f"{path}: must hold a JSON object")
    return obj


def load_meta(run_dir: Path) -> dict[str, Any]:
    return read_json_object(run_dir / META_FILE)


def lookup(meta: dict[str, Any], path: str, default: object = None) -> Any:
    """The value at a dotted path ("stack.app_server.conn_max_age"), or `default`."""
    value: object = meta
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return default
        value = value[part]
    return value


def require(meta: dict[str, Any], key: str) -> Any:
    if key not in meta:
        raise HarnessError(f"meta.json: missing {key!r}")
    return meta[key]


def require_number(meta: dict[str, Any], key: str, *, minimum: float = 0.0) -> float:
    value = require(meta, key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HarnessError(f"meta.json: {key!r} must be a number, got {value!r}")
    if value < minimum:
        raise HarnessError(f"meta.json: {key!r} must be >= {minimum:g}, got {value!r}")
    return float(value)


def planned_ramp(meta: dict[str, Any]) -> list[int] | None:
    """The planned user counts (a JSON list or "40 50 60"), or None for an auto ramp ("auto:N")."""
    value = require(meta, "ramp")
    if isinstance(value, str) and value.strip().startswith("auto"):
        return None
    items = re.split(r"[\s,]+", value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise HarnessError(f"meta.json: 'ramp' must list user counts, got {value!r}")
    return [_user_count(item, value) for item in items]


def _user_count(item: object, ramp: object) -> int:
    if isinstance(item, int) and not isinstance(item, bool) and item >= 0:
        return item
    if isinstance(item, str) and re.fullmatch(r"[0-9]+", item):
        return int(item)
    raise HarnessError(f"meta.json: 'ramp' must list non-negative integers, got {ramp!r}")
