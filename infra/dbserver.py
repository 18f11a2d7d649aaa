"""The embedded PostgreSQL served on a network address, for an app host elsewhere (`make db`).

The server listens on loopback and on BIND. Loopback keeps PostgreSQL's `trust` for the
harness's own administration; from the network only the role `bench` may connect, with a
password made for this session (scram-sha-256). The database `commerce` is created empty and
owned by `bench`: the app host takes it over (`make serve DATABASE_URL=...` drops, recreates
and seeds its tables), and the load host reads it for the invariants after a run.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from infra import database, ports
from infra.postgres import EmbeddedPostgres
from infra.stack import url_host

ROLE = "bench"
DB_NAME = "commerce"
EVERY_ADDRESS = ("0.0.0.0", "::")  # noqa: S104 - what BIND may ask for


def hba_rules() -> str:
    """pg_hba.conf: trust on loopback and the socket; `bench` with a password elsewhere."""
    return "\n".join(
        [
            "local all all trust",
            "host all all 127.0.0.1/32 trust",
            "host all all ::1/128 trust",
            f"host all {ROLE} 0.0.0.0/0 scram-sha-256",
            f"host all {ROLE} ::/0 scram-sha-256",
            "",
        ]
    )


def listen_addresses(bind: str) -> str:
    if bind in EVERY_ADDRESS:
        return "*"
    return "127.0.0.1" if bind == "127.0.0.1" else f"127.0.0.1,{bind}"


def database_url(bind: str, port: int, password: str) -> str:
    host = socket.gethostname() if bind in EVERY_ADDRESS else url_host(bind)
    return f"postgresql://{ROLE}:{password}@{host}:{port}/{DB_NAME}"


@dataclass(frozen=True)
class ServedDatabase:
    url: str  # DATABASE_URL for the other hosts
    server: EmbeddedPostgres

    def check_alive(self) -> None:
        """ProcessFailedError when PostgreSQL has exited."""
        if self.server.process is not None:
            self.server.process.check_alive()


@contextlib.contextmanager
def served_database(*, bind: str, port: int, data_dir: Path) -> Iterator[ServedDatabase]:
    """PostgreSQL on `bind`:`port` with a fresh `commerce`, stopped on the way out."""
    for host in {"127.0.0.1", "0.0.0.0" if bind in EVERY_ADDRESS else bind}:  # noqa: S104
        ports.ensure_free(port, host=host, purpose="PostgreSQL")
    data_dir.mkdir(parents=True, exist_ok=True)
    hba = data_dir / "pg_hba.bench.conf"
    hba.write_text(hba_rules(), encoding="utf-8")
    hba.chmod(0o644)
    server = EmbeddedPostgres(data_dir.resolve(), port)
    try:
        server.start(
            extra_settings={
                "listen_addresses": listen_addresses(bind),
                "hba_file": str(hba.resolve()),
            }
        )
        password = secrets.token_urlsafe(24)
        admin = server.admin_url()
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(ROLE), sql.Literal(password)
                )
            )
        database.recreate_database(admin, DB_NAME)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(DB_NAME), sql.Identifier(ROLE)
                )
            )
        yield ServedDatabase(database_url(bind, port, password), server)
    finally:
        server.stop()
