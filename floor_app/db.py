"""The per-worker asyncpg pool, one-transaction blocks, and outage detection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import asyncpg
from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy

from floor_app.rules import db_answer_limit
from floor_app.settings import Settings

# SQLSTATE classes meaning "the database cannot serve this now": connection exception (08),
# insufficient resources such as too many connections (53), operator intervention such as
# statement timeout, shutdown or start-up (57).
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})

# What handlers hold: a pooled connection (asyncpg hands out proxies).
Connection: TypeAlias = "PoolConnectionProxy[Record]"
Pool: TypeAlias = "asyncpg.Pool[Record]"


async def _keep_session(connection: asyncpg.Connection[Record]) -> None:
    # asyncpg's default reset runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    # RESET ALL` on every release: a round trip per request, and a statement the other apps
    # never send. Nothing here takes advisory locks, listens, or changes session settings.
    return None


def pool_create(settings: Settings) -> Pool:
    """Create the worker's connection pool; connections are opened lazily, on first use."""
    return asyncpg.create_pool(
        settings.database_url,
        min_size=0,
        # The same connection budget as the SQLAlchemy pool of fastapi_app.
        max_size=settings.db_pool_size + settings.db_max_overflow,
        reset=_keep_session,
        timeout=settings.db_connect_timeout_seconds,
        # A server that stopped answering never fires statement_timeout (rules.py).
        command_timeout=db_answer_limit(statement_timeout_ms=settings.db_statement_timeout_ms),
        server_settings={"statement_timeout": str(settings.db_statement_timeout_ms)},
    )


@asynccontextmanager
async def atomic(connection: Connection) -> AsyncIterator[None]:
    """Run the block in one READ COMMITTED transaction: commit on success, roll back on error."""
    async with connection.transaction(isolation="read_committed"):
        yield


def database_unavailable(exc: BaseException) -> bool:
    """Tell whether an exception means the database is unreachable, overloaded or timed out."""
    if isinstance(exc, TimeoutError | OSError | asyncpg.InterfaceError):
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
