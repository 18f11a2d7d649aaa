"""`make report`: regenerate results/comparison.md, its charts and README's results section.

python -m scripts.report [--results DIR] [--readme README.md] [--no-readme]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.harness.errors import HarnessError
from scripts.harness.report import MIN_README_TRIALS, write_report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.report",
        description="Regenerate results/comparison.md, its charts and the README results "
        f"section (sessions of {MIN_README_TRIALS}+ trials) from the newest complete sessions.",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=Path("results"),
        help="folder holding the session folders (default: results)",
    )
    parser.add_argument(
        "--readme",
        type=Path,
        default=Path("README.md"),
        help="README whose results section to replace (default: README.md)",
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="write only results/comparison.md and its charts"
    )
    args = parser.parse_args(argv)
    try:
        written, skipped = write_report(
            results_dir=args.results, readme=None if args.no_readme else args.readme
        )
    except (HarnessError, OSError) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
