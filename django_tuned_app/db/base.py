"""Django's PostgreSQL backend, with a bound on every wait for the server's answer.

statement_timeout ends a slow query on a server that runs; a server that has stopped
(SIGSTOP, a frozen host) never answers, and psycopg would wait on the socket until gunicorn
killed the worker. FastAPI bounds the same wait with asyncpg's command_timeout.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.abc import RV, PQGen

from django_tuned_app.rules import db_answer_limit

ANSWER_LIMIT_SECONDS = db_answer_limit(statement_timeout_ms=settings.DB_STATEMENT_TIMEOUT_MS)


class BoundedWaitConnection(psycopg.Connection[Any]):
    """A psycopg connection that stops waiting for an answer after ANSWER_LIMIT_SECONDS."""

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        try:
            return super().wait(gen, interval, ANSWER_LIMIT_SECONDS if timeout is None else timeout)
        except psycopg.errors._WaitTimeout:
            # A query is still in flight on it: the connection cannot be used again. Closed,
            # it fails Django's usability check and is dropped at the end of the request.
            self.close()
            raise psycopg.OperationalError(
                f"no answer from the database within {ANSWER_LIMIT_SECONDS:g} s"
            ) from None


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL backend, opening BoundedWaitConnections."""

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        # psycopg connects with no choice of class, and this one only overrides wait().
        connection.__class__ = BoundedWaitConnection
        return connection
