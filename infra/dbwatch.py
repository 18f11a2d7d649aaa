"""Whether the database answers: a one-line reason when it does not, and `make serve`'s watch.

A benchmark run treats a database outage as a failed run (`Stack.check_alive`). A stack
driven by hand keeps serving through one instead: the apps answer 503 `unavailable` and
reconnect by themselves, so `DatabaseWatch` only reports the outage and the recovery (one
line each), and starts the embedded PostgreSQL again when it exits.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import psycopg

from infra.settings.kinds import redact

if TYPE_CHECKING:
    from infra.postgres import EmbeddedPostgres

CHECK_SECONDS = 2.0
# libpq's own minimum; a frozen server (SIGSTOP) counts as down after this long.
CONNECT_TIMEOUT_SECONDS = 2
# Waits between failed restarts of the embedded server: quick at first, then patient.
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)


class DatabaseUnreachableError(RuntimeError):
    """A database URL the user gave names a server that does not accept a connection."""


def connect_problem(exc: BaseException) -> str:
    """psycopg's connection error in a few words: 'connection refused', 'timeout expired'."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    # libpq says 'connection to server at "h", port p failed: <why>' (once per address).
    _, sep, why = first.rpartition(" failed: ")
    reason = why if sep else first.removeprefix("connection failed: ")
    reason = re.sub(r"^(FATAL|ERROR):\s+", "", reason.strip())
    reason = re.sub(r"\[Errno -?[0-9]+\] ", "", reason)
    return reason[:1].lower() + reason[1:]


def probe(url: str) -> str | None:
    """None when `url` accepts a connection; else why not, in a few words."""
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS):
            return None
    except psycopg.Error as exc:
        return connect_problem(exc)


def ensure_reachable(url: str, *, name: str = "DATABASE_URL") -> None:
    """Raise DatabaseUnreachableError, naming the variable and the redacted URL, when the
    database does not accept a connection."""
    problem = probe(url)
    if problem is not None:
        raise DatabaseUnreachableError(f"{name}={redact(url)}: cannot connect ({problem})")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class DatabaseWatch:
    """Call `poll` often: it reports each change between up and down in one line on stderr,
    and restarts the embedded server (`postgres`, None for a user's own database)."""

    def __init__(
        self,
        url: str,
        postgres: EmbeddedPostgres | None,
        *,
        say: Callable[[str], None] = _say,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._postgres = postgres
        self._say = say
        self._clock = clock
        self._down = False
        self._next_check = 0.0
        self._server_pid = postgres.server_pid() if postgres is not None else None
        self._failures = 0
        self._next_restart = 0.0

    @property
    def down(self) -> bool:
        """An outage was reported and the database has not answered since."""
        return self._down

    def poll(self) -> None:
        now = self._clock()
        if self._postgres is not None and not self._server_running(self._postgres, now):
            return
        if now >= self._next_check:
            self._next_check = now + CHECK_SECONDS
            self._note(probe(self._url))

    def _note(self, problem: str | None) -> None:
        if problem is None and self._down:
            self._say("database: back; the apps reconnect by themselves")
            self._down = False
        elif problem is not None and not self._down:
            self._say(
                f"database: unreachable at {redact(self._url)} ({problem}); "
                "the apps answer 503 until it is back"
            )
            self._down = True

    def _server_running(self, postgres: EmbeddedPostgres, now: float) -> bool:
        """Start the embedded server again when it has exited; False while none is running."""
        pid = postgres.server_pid()
        if pid is None:
            if self._server_pid is not None:
                meanwhile = "" if self._down else " (the apps answer 503 meanwhile)"
                self._say(
                    f"database: PostgreSQL (pid {self._server_pid}) exited{_code(postgres)}; "
                    f"restarting it{meanwhile}"
                )
                self._server_pid, self._down, self._failures = None, True, 0
                self._next_restart = now
            if now < self._next_restart or not self._restart(postgres):
                return False
            pid = postgres.server_pid()
            self._next_check = now
        own = postgres.process is not None and postgres.process.pid == pid
        if pid != self._server_pid and not own:
            self._say(
                f"database: PostgreSQL runs again as pid {pid}, started outside the harness; "
                "it is stopped with the stack"
            )
        self._server_pid = pid
        return pid is not None

    def _restart(self, postgres: EmbeddedPostgres) -> bool:
        try:
            postgres.restart()
        except (OSError, RuntimeError) as exc:
            wait = RETRY_SECONDS[min(self._failures, len(RETRY_SECONDS) - 1)]
            self._failures += 1
            self._next_restart = self._clock() + wait
            self._say(
                f"database: restarting PostgreSQL failed ({_why(exc)}); trying again in {wait:g} s"
            )
            return False
        return True


def _code(postgres: EmbeddedPostgres) -> str:
    proc = postgres.process
    code = proc.popen.returncode if proc is not None else None
    return f" with code {code}" if code is not None else ""


def _why(exc: BaseException) -> str:
    """The server's own FATAL line when its log tail has one, else the error's first line."""
    lines = str(exc).splitlines() or [type(exc).__name__]
    fatal = [line for line in lines if "FATAL:" in line]
    return (fatal[-1].split("FATAL:", 1)[1] if fatal else lines[0]).strip()
