"""Where the app's CPU goes: py-spy's stacks sorted into layers, as data and as a table.

Attribution rule: a sample belongs to the layer of its innermost frame that lies in a
classified package. Frames of the standard library (asyncio, socket, json's callers aside,
selectors, ssl, typing ...) and of unlisted packages (click, jwt, greenlet ...) are skipped,
so their time counts for their nearest classified caller: a `socket.recv` under psycopg is
driver time, an `asyncio` frame under uvicorn is HTTP server time. A sample without any
classified frame is "other"; that includes samples with no Python frame at all (C code of
the event loop or of an extension running callbacks without a Python caller).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

# (key, label) in the order every table shows them.
LAYERS: tuple[tuple[str, str], ...] = (
    ("http_server", "HTTP server"),
    ("framework", "framework"),
    ("validation", "validation and serialization"),
    ("orm", "ORM"),
    ("driver", "driver"),
    ("app", "app code"),
    ("other", "other"),
)
LAYER_LABELS = dict(LAYERS)

# Module-path prefixes per layer, most specific first: the first match wins, so the
# PostgreSQL backend of django.db is driver before the rest of django.db is ORM, and DRF's
# serializers are validation before the rest of rest_framework is framework.
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "driver",
        (
            "psycopg/",
            "psycopg_binary/",
            "psycopg_c/",
            "psycopg_pool/",
            "psycopg2/",
            "asyncpg/",
            "django/db/backends/postgresql/",
        ),
    ),
    ("orm", ("sqlalchemy/", "django/db/")),
    (
        "validation",
        (
            "pydantic/",
            "pydantic_core/",
            "rest_framework/serializers.py",
            "rest_framework/fields.py",
            "rest_framework/relations.py",
            "rest_framework/parsers.py",
            "rest_framework/renderers.py",
            "rest_framework/utils/encoders.py",
            "rest_framework/utils/json.py",
            "rest_framework/utils/serializer_helpers.py",
            "django/core/serializers/",
            "fastapi/encoders.py",
            "json/",
            "orjson/",
        ),
    ),
    ("framework", ("fastapi/", "starlette/", "rest_framework/", "django/", "asgiref/", "anyio/")),
    ("http_server", ("uvicorn/", "httptools/", "uvloop/", "h11/", "gunicorn/", "wsgiref/")),
)
# The project's app folders (django_app, fastapi_tuned_app, floor_app ...) at the repo root.
_APP_FOLDER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*_app")
_PACKAGES_DIR = re.compile(r"/(?:site|dist)-packages/")
_STDLIB_DIR = re.compile(r"/python3\.\d+/")
# py-spy's frame label: "name (file:line)" or "name (file)"; pseudo-frames have no file.
# The stack of a sample taken while the GIL holder ran no Python code (the event loop's C).
NO_PYTHON_FRAME = "[no Python frame]"
_LABEL = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


class LayerRow(TypedDict):
    layer: str
    label: str
    samples: int
    share_pct: float
    cpu_ms_per_request: float | None


class ProfileSummary(TypedDict):
    """summary.json's optional "profile": one profiled step and where its CPU went."""

    users: int | None  # the profiled step
    seconds: float  # how long py-spy sampled
    rate_hz: int
    method: str  # py-spy's version and flags, e.g. "py-spy 0.4.3 --nonblocking --gil"
    processes: int  # how many app processes were sampled (the flame graph shows the first)
    samples: int
    requests: int | None  # requests completed in the sampled window
    app_cpu_seconds: float | None  # the app's CPU time in the sampled window
    files: dict[str, str]  # flamegraph / speedscope / collapsed, relative to the run folder
    layers: list[LayerRow]
    problem: str | None  # one line when no profile could be taken; then layers is empty


def module_path(filename: str) -> str:
    """A frame's file as a module path: `django/db/models/query.py`, `django_app/views.py`."""
    path = filename.replace("\\", "/")
    found = list(_PACKAGES_DIR.finditer(path))
    if found:
        return path[found[-1].end() :]
    stdlib = _STDLIB_DIR.search(path)
    if stdlib:
        return path[stdlib.end() :]
    parts = path.split("/")
    # The folder nearest the file wins: /opt/bench_app/django_app/views.py is django_app.
    for i in range(len(parts) - 2, -1, -1):
        if _APP_FOLDER.fullmatch(parts[i]):
            return "/".join(parts[i:])
    return path.lstrip("/")


def frame_layer(filename: str) -> str | None:
    """The layer of one frame's file, or None when the file belongs to no classified package."""
    if not filename:
        return None
    module = module_path(filename)
    for layer, prefixes in _RULES:
        if module.startswith(prefixes):
            return layer
    head = module.split("/", 1)[0]
    return "app" if "/" in module and _APP_FOLDER.fullmatch(head) else None


def stack_layer(filenames: Sequence[str]) -> str:
    """The layer of a sample whose frame files run from the root to the innermost frame."""
    for filename in reversed(filenames):
        layer = frame_layer(filename)
        if layer is not None:
            return layer
    return "other"


def label_file(label: str) -> str:
    """The file inside a py-spy frame label, '' for pseudo-frames (process, thread)."""
    match = _LABEL.match(label)
    return match.group("file") if match else ""


def parse_collapsed(text: str) -> list[tuple[list[str], int]]:
    """Collapsed stacks ("root;...;leaf count" per line) as (frame labels, count) pairs."""
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.strip().rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def collapsed_from_speedscope(doc: Mapping[str, Any]) -> Counter[str]:
    """py-spy's speedscope document as collapsed stacks, files shortened to module paths."""
    labels = []
    for frame in doc["shared"]["frames"]:
        name = str(frame["name"]).replace(";", ":")
        file, line = module_path(str(frame.get("file") or "")), frame.get("line")
        where = f"{file}:{line}" if file and line else file
        labels.append(f"{name} ({where})" if where else name)
    stacks: Counter[str] = Counter()
    for profile in doc["profiles"]:
        for sample in profile["samples"]:
            stacks[";".join(labels[i] for i in sample) or NO_PYTHON_FRAME] += 1
    return stacks


def collapsed_text(stacks: Mapping[str, int]) -> str:
    """Collapsed stacks as text, heaviest first (flamegraph.pl and speedscope read it)."""
    ordered = sorted(stacks.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(f"{stack} {count}\n" for stack, count in ordered)


def layer_counts(stacks: Iterable[tuple[Sequence[str], int]]) -> dict[str, int]:
    """Samples per layer (every layer present, zero when none) from (labels, count) pairs."""
    counts = dict.fromkeys(LAYER_LABELS, 0)
    for labels, count in stacks:
        counts[stack_layer([label_file(label) for label in labels])] += count
    return counts


def layer_rows(
    counts: Mapping[str, int], *, requests: int | None, app_cpu_seconds: float | None
) -> list[LayerRow]:
    """One row per layer: samples, share of all samples, and CPU ms per request when known.

    CPU per request spreads the app's measured CPU time over the layers by their share of
    samples, so it assumes the samples are a fair draw of the time the app was on a CPU.
    """
    total = sum(counts.values())
    per_request = (
        1000.0 * app_cpu_seconds / requests
        if requests and app_cpu_seconds is not None and total
        else None
    )
    rows: list[LayerRow] = []
    for key, label in LAYERS:
        share = counts.get(key, 0) / total if total else 0.0
        rows.append(
            {
                "layer": key,
                "label": label,
                "samples": counts.get(key, 0),
                "share_pct": round(100.0 * share, 1),
                "cpu_ms_per_request": None
                if per_request is None
                else round(share * per_request, 3),
            }
        )
    return rows
