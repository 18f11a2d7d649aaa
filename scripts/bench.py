"""`make bench` / `make bench-<app>` / `make matrix` / `make ui-<app>`: benchmark sessions.

Usage: python -m scripts.bench APP [APP ...] [--matrix | --ui]. Settings come from the
environment (make variables): see the README's settings table or `make help`.
"""

from __future__ import annotations

import argparse
import sys

from infra.appservers import APPS, matrix_default
from infra.settings import Settings
from scripts.cli import run
from scripts.harness.session import run_session, run_ui


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument(
        "apps",
        nargs="*",
        metavar="APP",
        help=f"apps to run, in this order (--matrix: MATRIX_APPS); one of {', '.join(APPS)}",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--ui", action="store_true", help="Locust web UI instead of headless")
    mode.add_argument("--matrix", action="store_true", help="the apps as one matrix")
    args = parser.parse_args()
    # Checked here, not by choices=: Python 3.11's argparse rejects an empty nargs="*" list
    # against choices, which would break `make matrix` with no app named.
    unknown = [app for app in args.apps if app not in APPS]
    if unknown:
        parser.error(f"unknown app {unknown[0]!r} (choose from {', '.join(APPS)})")
    if args.ui and len(args.apps) != 1:
        parser.error("--ui takes exactly one app")
    if not args.apps and not args.matrix:
        parser.error("name at least one app")
    settings = Settings.from_env()
    if args.ui:
        run_ui(settings, args.apps[0], argv=sys.argv)
        return 0
    apps = args.apps or list(settings.matrix_apps or matrix_default())
    folder = run_session(settings, apps, argv=sys.argv, matrix=args.matrix)
    print(f"session complete -> {folder / 'summary.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run(main)
