"""`make percentiles RUN=results/<run>`: recompute a run's exact figures from its raw samples.

    python -m scripts.percentiles RUN_DIR [RUN_DIR ...]

Prints each step's figures recomputed from raw/samples-*.csv(.gz) and compares them with the
run's summary.json. Exit status: 0 when every figure matches, 1 when any differs, 2 when a
run folder cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scripts.harness.errors import HarnessError
from scripts.harness.recompute import recheck_run, render


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.percentiles",
        description="Recompute each step's figures (percentiles included) from a run's raw "
        "samples and check them against its summary.json.",
    )
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="a run folder")
    args = parser.parse_args(argv)
    code = 0
    for run_dir in args.runs:
        try:
            recheck = recheck_run(run_dir)
        except (HarnessError, OSError) as exc:
            print(f"percentiles: {exc}", file=sys.stderr)
            code = 2
            continue
        print(render(recheck))
        if not recheck.matches and code == 0:
            code = 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
