"""The per-worker engine, the request session, one-transaction blocks, and outage detection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from fastapi_app.rules import db_answer_limit
from fastapi_app.settings import Settings

# SQLSTATE classes meaning "the database cannot serve this now": connection exception (08),
# insufficient resources such as too many connections (53), operator intervention such as
# statement timeout, shutdown or start-up (57).
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})


def engine_create(settings: Settings) -> AsyncEngine:
    """Create the worker's connection pool; connections are opened lazily, on first use."""
    return create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=False,
        # Reads run in autocommit like Django's default; `atomic` opens real transactions.
        isolation_level="AUTOCOMMIT",
        connect_args={
            "timeout": settings.db_connect_timeout_seconds,
            # A server that stopped answering never fires statement_timeout (rules.py).
            "command_timeout": db_answer_limit(
                statement_timeout_ms=settings.db_statement_timeout_ms
            ),
            "server_settings": {"statement_timeout": str(settings.db_statement_timeout_ms)},
        },
    )


@asynccontextmanager
async def atomic(session: AsyncSession) -> AsyncIterator[None]:
    """Run the block in one database transaction: commit on success, roll back on error."""
    # Earlier reads of this request ran in autocommit; ending them returns that connection,
    # so the transaction starts on a checkout that really begins one.
    await session.commit()
    async with session.begin():
        await session.connection(execution_options={"isolation_level": "READ COMMITTED"})
        yield


def database_unavailable(exc: BaseException) -> bool:
    """Tell whether an exception means the database is unreachable, overloaded or timed out."""
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or isinstance(
            exc, sa_exc.InterfaceError | sa_exc.OperationalError
        ):
            return True
        return _sqlstate_unavailable(exc.orig)
    if isinstance(exc, sa_exc.TimeoutError | TimeoutError | OSError | asyncpg.InterfaceError):
        return True
    return _sqlstate_unavailable(exc)


def _sqlstate_unavailable(exc: BaseException | None) -> bool:
    sqlstate = getattr(exc, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
