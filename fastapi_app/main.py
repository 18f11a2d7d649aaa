"""Builds the ASGI app: settings checked at import, one engine per worker, JSON for every error."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException
from starlette.responses import Response

from fastapi_app.db import engine_create
from fastapi_app.errors import ApiError
from fastapi_app.handlers import (
    api_error_handler,
    database_error_handler,
    http_error_handler,
    internal_error_handler,
    request_validation_handler,
)
from fastapi_app.middleware import RequestGuardMiddleware
from fastapi_app.routes import OPENAPI_DOCUMENT, router
from fastapi_app.settings import Settings, get_settings

Handler = Callable[[Request, Exception], Coroutine[Any, Any, Response]]

EXCEPTION_HANDLERS: dict[int | type[Exception], Handler] = {
    ApiError: api_error_handler,
    HTTPException: http_error_handler,
    RequestValidationError: request_validation_handler,
    sa_exc.DBAPIError: database_error_handler,
    sa_exc.TimeoutError: database_error_handler,
    asyncpg.PostgresError: database_error_handler,
    asyncpg.InterfaceError: database_error_handler,
    OSError: database_error_handler,
    TimeoutError: database_error_handler,
    Exception: internal_error_handler,
}


class State(TypedDict):
    sessions: async_sessionmaker[AsyncSession]


def contract_openapi() -> dict[str, Any]:
    """Return the contract's OpenAPI document instead of one generated from the routes."""
    document: dict[str, Any] = json.loads(OPENAPI_DOCUMENT)
    return document


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the database engine is created per worker, at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        engine = engine_create(settings)
        try:
            yield {"sessions": async_sessionmaker(engine, expire_on_commit=False)}
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Commerce API (FastAPI)",
        lifespan=lifespan,
        redirect_slashes=False,
        # No HTML documentation pages: every response is JSON, and the API must work offline.
        docs_url=None,
        redoc_url=None,
        # FastAPI's own document route would also answer HEAD (405 in the contract);
        # routes.py serves GET /openapi.json like every other route.
        openapi_url=None,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    # FastAPI's documented hook: in-process tools asking the app get the served document.
    app.openapi = contract_openapi  # type: ignore[method-assign]
    app.include_router(router)
    app.add_middleware(RequestGuardMiddleware)
    return app


app = create_app(get_settings())
