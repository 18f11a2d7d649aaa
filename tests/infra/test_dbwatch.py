"""The database watch of `make serve` on a real PostgreSQL that the tests stop, kill and restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from infra.database import with_database
from infra.dbwatch import (
    CHECK_SECONDS,
    DatabaseUnreachableError,
    DatabaseWatch,
    ensure_reachable,
    probe,
)
from infra.ports import free_port
from infra.postgres import OS_USER, EmbeddedPostgres, bin_dir
from infra.procs import as_user, session_members


class Clock:
    """A monotonic clock the test moves by hand, so retries and checks need no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A server of this module's own; every test leaves it running."""
    pg = EmbeddedPostgres(tmp_path_factory.mktemp("pg-watch"), free_port())
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()


def _watch(server: EmbeddedPostgres | None, url: str) -> tuple[DatabaseWatch, list[str], Clock]:
    lines: list[str] = []
    clock = Clock()
    return DatabaseWatch(url, server, say=lines.append, clock=clock), lines, clock


def _exit(server: EmbeddedPostgres, sig: signal.Signals) -> int:
    assert server.process is not None
    pid = server.process.pid
    os.kill(pid, sig)
    server.process.popen.wait(timeout=30)
    return pid


def test_probe_says_why_in_a_few_words(pg_admin_url: str) -> None:
    assert probe(pg_admin_url) is None
    assert probe(f"postgresql://u:pw@127.0.0.1:{free_port()}/db") == "connection refused"
    assert probe(with_database(pg_admin_url, "nope")) == 'database "nope" does not exist'


def test_unreachable_database_url_is_one_line_naming_it_without_the_password() -> None:
    port = free_port()
    with pytest.raises(DatabaseUnreachableError) as info:
        ensure_reachable(f"postgresql://u:secret@127.0.0.1:{port}/db")
    assert str(info.value) == (
        f"DATABASE_URL=postgresql://u:***@127.0.0.1:{port}/db: cannot connect (connection refused)"
    )


def test_an_outage_of_a_users_database_is_one_line_and_so_is_its_end(
    server: EmbeddedPostgres,
) -> None:
    watch, lines, clock = _watch(None, server.admin_url())
    watch.poll()
    assert lines == []
    server.stop()
    try:
        for _ in range(3):
            clock.now += CHECK_SECONDS
            watch.poll()
        assert lines == [
            f"database: unreachable at {server.admin_url()} (connection refused); "
            "the apps answer 503 until it is back"
        ]
        assert watch.down
    finally:
        server.start()
    clock.now += CHECK_SECONDS
    watch.poll()
    assert lines[1:] == ["database: back; the apps reconnect by themselves"]
    assert not watch.down


def test_an_embedded_server_killed_hard_is_restarted_and_its_orphans_reaped(
    server: EmbeddedPostgres,
) -> None:
    watch, lines, clock = _watch(server, server.admin_url())
    with psycopg.connect(server.admin_url()):
        old = _exit(server, signal.SIGKILL)  # the open session's backend outlives it
        clock.now += 0.5
        watch.poll()
    assert lines == [
        f"database: PostgreSQL (pid {old}) exited with code -9; restarting it "
        "(the apps answer 503 meanwhile)",
        "database: back; the apps reconnect by themselves",
    ]
    assert server.server_pid() not in (None, old)
    assert session_members(old) == []
    assert probe(server.admin_url()) is None


def test_a_failed_restart_is_retried_later(server: EmbeddedPostgres) -> None:
    watch, lines, clock = _watch(server, server.admin_url())
    old = _exit(server, signal.SIGINT)  # PostgreSQL's fast shutdown: exit code 0
    with socket.socket() as squatter:
        # Another program takes the port (past the server's connections in TIME_WAIT).
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind((server.host, server.port))
        squatter.listen()
        watch.poll()
        watch.poll()  # too early for another attempt
        assert len(lines) == 2, lines
        assert lines[0] == (
            f"database: PostgreSQL (pid {old}) exited with code 0; restarting it "
            "(the apps answer 503 meanwhile)"
        )
        assert lines[1].startswith("database: restarting PostgreSQL failed (")
        assert lines[1].endswith("; trying again in 1 s")
        assert server.server_pid() is None
    clock.now += 1
    watch.poll()
    assert lines[2:] == ["database: back; the apps reconnect by themselves"]
    assert server.server_pid() is not None


def test_a_restart_by_pg_ctl_is_used_and_stopped_with_the_stack(server: EmbeddedPostgres) -> None:
    """`pg_ctl restart` starts a server the harness did not: it is watched, then stopped."""
    watch, lines, clock = _watch(server, server.admin_url())
    user = OS_USER if os.geteuid() == 0 else None
    subprocess.run(
        [
            str(bin_dir() / "pg_ctl"),
            "restart",
            "-D",
            str(server.pgdata),
            "-m",
            "fast",
            "-l",
            str(server.data_dir / "pg_ctl.log"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
        **as_user(user),
    )
    outside = server.server_pid()
    assert outside is not None and server.process is not None
    assert outside != server.process.pid
    clock.now += CHECK_SECONDS
    watch.poll()
    assert lines == [
        f"database: PostgreSQL runs again as pid {outside}, started outside the harness; "
        "it is stopped with the stack"
    ]
    server.stop()
    assert not psutil.pid_exists(outside) or psutil.Process(outside).status() == "zombie"
    assert probe(server.admin_url()) == "connection refused"
    server.start()


def test_serve_is_tolerant_but_a_benchmark_is_not(tmp_path: Path) -> None:
    """Stack.check_alive, which the benchmark runner calls, still fails on a database exit."""
    from infra.procs import ProcessFailedError
    from infra.seed import SeedOptions
    from infra.stack import Stack, StackSettings

    settings = StackSettings(
        app="fastapi",
        nginx_port=free_port(),
        app_port=free_port(),
        pg_port=free_port(),
        data_dir=tmp_path / "pg",
        run_dir=tmp_path / "run",
        seed=SeedOptions(products=5, users=2, hash_iterations=1000),
    )
    with Stack(settings) as stack:
        assert stack.postgres is not None
        _exit(stack.postgres, signal.SIGINT)
        stack.check_alive(database=False)  # make serve: Nginx and the app are still up
        with pytest.raises(ProcessFailedError, match="postgres exited with code 0"):
            stack.check_alive()
