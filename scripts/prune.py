"""`make prune-results`: list (and with --delete, remove) run folders no report cites.

    python -m scripts.prune [--results DIR] [--readme FILE] [--delete]

A run folder is cited when README.md or a Markdown file in results/ names it. Without
--delete nothing is removed; with it, the folders listed as "not cited" are deleted (once
committed they remain in git history).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.harness.errors import HarnessError
from scripts.harness.prune import citing_files, delete_uncited, plan_text, prune_plan


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.prune",
        description="List the run folders that README.md and results/*.md do not cite; "
        "delete them with --delete.",
    )
    parser.add_argument(
        "--results", type=Path, default=Path("results"), help="folder of run folders"
    )
    parser.add_argument(
        "--readme", type=Path, default=Path("README.md"), help="README that cites runs"
    )
    parser.add_argument("--delete", action="store_true", help="delete the uncited run folders")
    args = parser.parse_args(argv)
    try:
        plan = prune_plan(args.results, citing=citing_files(args.results, args.readme))
        print(plan_text(plan), end="")
        if not args.delete:
            if plan.uncited:
                print("dry run: nothing deleted (make prune-results DELETE=yes deletes them)")
            return 0
        for run_dir in delete_uncited(plan):
            print(f"deleted {run_dir}")
    except (HarnessError, OSError) as exc:
        print(f"prune: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
