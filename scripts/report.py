"""Regenerate results/comparison.md, the comparison charts and README's results section.

    python -m scripts.report [--results DIR] [--readme README.md]

The orchestrator imports `build_single_run_report` from here to report a run it just made.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.harness.build import build_single_run_report, write_comparison_report
from scripts.harness.errors import HarnessError

__all__ = ["build_single_run_report", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.report",
        description="Regenerate results/comparison.md, the comparison charts and the README "
        "results section from the newest complete runs.",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=Path("results"),
        help="folder holding the run folders (default: results)",
    )
    parser.add_argument(
        "--readme",
        type=Path,
        default=Path("README.md"),
        help="README whose results section to replace (default: README.md)",
    )
    parser.add_argument(
        "--no-readme",
        action="store_true",
        help="write only results/comparison.md and its charts (what `make bench` does)",
    )
    args = parser.parse_args(argv)
    readme = None if args.no_readme else args.readme
    try:
        written = write_comparison_report(results_dir=args.results, readme=readme)
    except (HarnessError, OSError) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
