"""`make docs`: rewrite the README's settings table from the settings table (infra/settings.py).

Standard library only, like `make help`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from infra.settings.doc import replace_readme_section

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    try:
        updated = replace_readme_section(text)
    except ValueError as exc:
        print(f"docs: {exc}", file=sys.stderr)
        return 1
    if updated != text:
        README.write_text(updated, encoding="utf-8")
        print(f"wrote {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
