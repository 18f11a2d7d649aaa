"""Which failures mean "database unavailable" (503) rather than a bug (500)."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from fastapi_app.db import database_unavailable


def _wrapped(orig: BaseException, *, invalidated: bool = False) -> sa_exc.DBAPIError:
    return sa_exc.DBAPIError("SELECT 1", None, orig, connection_invalidated=invalidated)


class _DriverError(Exception):
    """Stands in for SQLAlchemy's adapted asyncpg error, which carries the SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(),
        TimeoutError(),
        OSError("network unreachable"),
        sa_exc.TimeoutError("QueuePool limit reached"),
        asyncpg.exceptions.ConnectionDoesNotExistError("gone"),
        asyncpg.exceptions.CannotConnectNowError("starting up"),
        asyncpg.exceptions.TooManyConnectionsError("too many"),
        asyncpg.InterfaceError("connection is closed"),
        _wrapped(_DriverError("57014")),
        _wrapped(_DriverError("57P01")),
        _wrapped(_DriverError("08006")),
        _wrapped(_DriverError("23505"), invalidated=True),
        sa_exc.InterfaceError("SELECT 1", None, _DriverError("XX000")),
    ],
)
def test_outages_and_timeouts_are_unavailable(exc: BaseException) -> None:
    assert database_unavailable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bug"),
        asyncpg.exceptions.UniqueViolationError("duplicate"),
        asyncpg.exceptions.InvalidPasswordError("bad password"),
        _wrapped(_DriverError("23505")),
        _wrapped(_DriverError("42P01")),
        _wrapped(ValueError("no sqlstate")),
    ],
)
def test_other_failures_are_not(exc: BaseException) -> None:
    assert not database_unavailable(exc)
