"""`make db BIND=<address>`: the embedded PostgreSQL for app hosts on other machines.

Prints one line on stdout when ready, DATABASE_URL=postgresql://bench:<password>@<BIND>:<PG_PORT>/commerce
(the password is new every time), and stays in the foreground until Ctrl-C. Give that URL
to `make serve` on the app host and to `make bench-<app>` on the load host.
"""

from __future__ import annotations

import sys
import time

from infra.dbserver import served_database
from infra.settings import Settings
from infra.stack import DEFAULT_DATA_DIR
from scripts.cli import run


def main() -> int:
    settings = Settings.from_env()
    data_dir = settings.pg_data_dir or DEFAULT_DATA_DIR
    print(f"starting PostgreSQL on {settings.bind}:{settings.pg_port} ...", file=sys.stderr)
    with served_database(bind=settings.bind, port=settings.pg_port, data_dir=data_dir) as db:
        print(f"DATABASE_URL={db.url}", flush=True)
        print("ready; Ctrl-C stops it", file=sys.stderr)
        while True:
            time.sleep(1)
            db.check_alive()


if __name__ == "__main__":
    run(main)
