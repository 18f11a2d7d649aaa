"""`make bench` / `make bench-<app>` / `make ui-<app>`: benchmark runs, then the comparison.

Usage: python -m scripts.bench APP [APP ...] [--ui]. Settings come from the environment
(make variables): see the README's settings table or `make help`.
"""

from __future__ import annotations

import argparse
import sys

from infra.appservers import APPS
from infra.settings import Settings
from scripts.cli import run
from scripts.harness.session import run_bench


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument("apps", nargs="+", choices=APPS, help="apps to run, in this order")
    parser.add_argument("--ui", action="store_true", help="Locust web UI instead of headless")
    args = parser.parse_args()
    if args.ui and len(args.apps) != 1:
        parser.error("--ui takes exactly one app")
    run_bench(Settings.from_env(), args.apps, ui=args.ui, argv=sys.argv)
    return 0


if __name__ == "__main__":
    run(main)
