"""`make loadgen-worker MASTER=<host:port>`: Locust workers on a load host, for a master elsewhere.

Becomes `locust --worker` (LOCUST_PROCESSES of them with --processes) for the Locust master
at MASTER, which sends the settings, the users and the end of the run; the workers send
every request's raw sample back to it. Start the workers first: they keep trying to reach
their master for about five minutes, and exit when its run ends.
"""

from __future__ import annotations

import os
import sys

from infra.appservers import REPO
from infra.settings import Settings
from scripts.cli import run
from scripts.harness.locust_cmd import locust_env, worker_argv


def main() -> int:
    settings = Settings.from_env()
    argv = worker_argv(settings)
    print(
        f"{settings.locust_processes} Locust worker(s) for the master at {settings.master}",
        file=sys.stderr,
        flush=True,
    )
    os.chdir(REPO)
    # Locust itself from here on: its signals, its exit code, no process left behind.
    os.execve(argv[0], argv, locust_env())  # noqa: S606 - argv built here, no shell
    return 1  # not reached


if __name__ == "__main__":
    run(main)
