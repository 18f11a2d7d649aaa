"""`make serve APP=<app>`: a fresh seeded stack in the foreground until Ctrl-C (or SIGTERM).

Prints exactly two lines on stdout when ready (BASE_URL through Nginx, DATABASE_URL); all
progress goes to stderr. A database outage does not stop it: it is reported in one line, the
apps answer 503 meanwhile, and an embedded PostgreSQL that exits is started again.
"""

from __future__ import annotations

import sys
import time

from infra.config import stack_settings
from infra.dbwatch import DatabaseWatch
from infra.settings import Settings
from infra.stack import Stack
from scripts.cli import run


def main() -> int:
    settings = stack_settings(Settings.from_env())
    print(
        f"starting {settings.app}: PostgreSQL, schema, seed, app server, nginx ...", file=sys.stderr
    )
    with Stack(settings) as stack:
        print(f"BASE_URL={stack.base_url}", flush=True)
        print(f"DATABASE_URL={stack.database_url}", flush=True)
        print("ready; Ctrl-C stops everything", file=sys.stderr)
        watch = DatabaseWatch(stack.database_url, stack.postgres)
        while True:
            time.sleep(0.5)
            # Nginx and the app server must stay up; the database may come and go.
            stack.check_alive(database=False)
            watch.poll()


if __name__ == "__main__":
    run(main)
