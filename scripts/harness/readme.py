"""The generated results section of README.md, between two HTML comment markers."""

from __future__ import annotations

from pathlib import Path

from scripts.harness.errors import HarnessError
from scripts.harness.results import atomic_write

START = "<!-- results:start -->"
END = "<!-- results:end -->"


def replace_section(text: str, body: str) -> str:
    """`text` with everything between the markers replaced by `body`; markers kept."""
    starts, ends = text.count(START), text.count(END)
    if starts != 1 or ends != 1:
        raise HarnessError(
            f"README must hold {START} and {END} exactly once each (found {starts} and {ends})"
        )
    head, rest = text.split(START)
    if END not in rest:
        raise HarnessError(f"README: {END} comes before {START}")
    tail = rest.split(END)[1]
    inner = body.strip("\n")
    return f"{head}{START}\n{inner}\n{END}{tail}"


def update_readme(path: Path, body: str) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HarnessError(f"{path}: missing") from None
    atomic_write(path, replace_section(text, body))
