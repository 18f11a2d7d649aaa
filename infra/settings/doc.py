"""Documentation generated from the settings table: the README's table and `make help`'s list.

    python3 -m infra.settings.doc help       # the variable list `make help` prints
    python3 -m infra.settings.doc markdown   # the README's settings table

Standard library only, so `make help` works before anything is installed.
"""

from __future__ import annotations

import sys
from itertools import groupby

from infra.settings import Settings
from infra.settings.declare import VarSpec

README_START = "<!-- settings:start -->"
README_END = "<!-- settings:end -->"


def _default(spec: VarSpec) -> str:
    return f"`{spec.default}`" if spec.default else "unset"


def markdown_table() -> str:
    """One table per section: variable, default, meaning, who reads it."""
    parts = ["Generated from `infra/settings.py` by `make docs`; a test fails when it is stale.\n"]
    for section, rows in groupby(Settings.specs(), key=lambda s: s.section):
        parts.append(f"**{section}**\n")
        parts.append("| variable | default | meaning | read by |\n|---|---|---|---|")
        for spec in rows:
            readers = ", ".join(spec.readers)
            parts.append(f"| `{spec.name}` | {_default(spec)} | {spec.help} | {readers} |")
        parts.append("")
    return "\n".join(parts)


def help_lines() -> str:
    """`NAME=default  meaning` per variable, for `make help`."""
    specs = Settings.specs()
    width = max(len(s.name) + len(s.default) for s in specs) + 3
    lines = ["Variables (make VAR=value target; the README explains each):"]
    for spec in specs:
        left = f"{spec.name}={spec.default}"
        lines.append(f"  {left:<{width}} {spec.help.replace('`', '')}")
    return "\n".join(lines)


def replace_readme_section(readme: str) -> str:
    """The README with the text between the settings markers regenerated."""
    try:
        head, rest = readme.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
    except ValueError:
        raise ValueError(f"README has no {README_START} ... {README_END} section") from None
    return f"{head}{README_START}\n{markdown_table()}{README_END}{tail}"


def main(argv: list[str]) -> int:
    if argv == ["help"]:
        print(help_lines())
        return 0
    if argv == ["markdown"]:
        print(markdown_table(), end="")
        return 0
    print("usage: python3 -m infra.settings.doc help|markdown", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
