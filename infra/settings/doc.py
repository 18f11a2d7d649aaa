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
APPS_START = "<!-- apps:start -->"
APPS_END = "<!-- apps:end -->"


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


def apps_table() -> str:
    """Every app of the registry (infra/appservers.py): what it is, how it is served."""
    from infra.appservers import APP_SPECS  # the registry imports the settings

    lines = [
        "Generated from `infra/appservers.py` by `make docs`.\n",
        "| app | folder | what it is | server | `/health` framework |",
        "|---|---|---|---|---|",
    ]
    for spec in APP_SPECS.values():
        server = "uvicorn (uvloop, httptools)"
        if spec.server == "gunicorn":
            threads = f" x {spec.threads} threads" if spec.worker_class == "gthread" else ""
            server = f"gunicorn, {spec.worker_class} workers{threads}"
        lines.append(
            f"| `{spec.name}` | `{spec.package}/` | {spec.summary} | {server} | "
            f"`{spec.framework}` |"
        )
    return "\n".join(lines) + "\n"


def _replace(readme: str, start: str, end: str, body: str) -> str:
    try:
        head, rest = readme.split(start, 1)
        _, tail = rest.split(end, 1)
    except ValueError:
        raise ValueError(f"README has no {start} ... {end} section") from None
    return f"{head}{start}\n{body}{end}{tail}"


def replace_readme_section(readme: str) -> str:
    """The README with the settings and the apps tables regenerated."""
    readme = _replace(readme, README_START, README_END, markdown_table())
    return _replace(readme, APPS_START, APPS_END, apps_table())


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
    try:
        raise SystemExit(main(sys.argv[1:]))
    except BrokenPipeError:  # `make help | head`: the reader has all it wanted
        sys.stderr.close()
        raise SystemExit(0) from None
