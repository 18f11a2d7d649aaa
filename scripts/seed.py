"""`python -m scripts.seed DATABASE_URL [options]`: apply the schema and seed a database.

Drops and recreates the five tables in that database first.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import fields

from infra.database import apply_schema
from infra.seed import SeedOptions, seed
from infra.settings.kinds import redact
from scripts.cli import run


def parse_args(argv: list[str]) -> tuple[str, SeedOptions]:
    parser = argparse.ArgumentParser(prog="python -m scripts.seed", description=__doc__)
    parser.add_argument("database_url", help="postgresql://user:pass@host:port/dbname")
    defaults = SeedOptions()
    for f in fields(SeedOptions):
        flag = "--" + f.name.replace("_", "-")
        parser.add_argument(
            flag,
            type=int,
            default=getattr(defaults, f.name),
            help=f"default {getattr(defaults, f.name)}",
        )
    ns = parser.parse_args(argv)
    if not ns.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("database_url must start with postgresql://")
    opts = {f.name: getattr(ns, f.name) for f in fields(SeedOptions)}
    try:
        return ns.database_url, SeedOptions(**opts)
    except ValueError as exc:
        parser.error(str(exc))
        raise  # unreachable: parser.error exits


def main() -> int:
    url, opts = parse_args(sys.argv[1:])
    started = time.monotonic()
    apply_schema(url)
    counts = seed(url, opts)
    took = time.monotonic() - started
    print(f"seeded {redact(url)}: {counts} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run(main)
