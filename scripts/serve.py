"""`make serve APP=<app>`: a fresh seeded stack in the foreground until Ctrl-C (or SIGTERM).

Prints two lines on stdout when ready (BASE_URL through Nginx, DATABASE_URL), and a third,
RESOURCES_URL, when RESOURCES_PORT serves this host's resource samples; all progress goes to
stderr. A database outage does not stop it: it is reported in one line, the apps answer 503
meanwhile, and an embedded PostgreSQL that exits is started again.
"""

from __future__ import annotations

import sys
import time

from infra.config import stack_settings
from infra.dbwatch import DatabaseWatch
from infra.settings import Settings
from infra.stack import Stack
from scripts.cli import run
from scripts.harness import app_host


def main() -> int:
    env = Settings.from_env()
    settings = stack_settings(env)
    print(
        f"starting {settings.app}: PostgreSQL, schema, seed, app server, nginx ...", file=sys.stderr
    )
    with Stack(settings) as stack, app_host.for_stack(env, stack) as resources_url:
        print(f"BASE_URL={stack.base_url}", flush=True)
        print(f"DATABASE_URL={stack.database_url}", flush=True)
        if resources_url is not None:
            print(f"RESOURCES_URL={resources_url}", flush=True)
        print("ready; Ctrl-C stops everything", file=sys.stderr)
        watch = DatabaseWatch(stack.database_url, stack.postgres)
        while True:
            time.sleep(0.5)
            # Nginx and the app server must stay up; the database may come and go.
            stack.check_alive(database=False)
            watch.poll()


if __name__ == "__main__":
    run(main)
