"""Builds the ASGI app: settings checked at import, one pool per worker, JSON for every error."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypedDict

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from fastapi_tuned_app.db import Pool, pool_create
from fastapi_tuned_app.errors import ApiError
from fastapi_tuned_app.handlers import (
    api_error_handler,
    database_error_handler,
    http_error_handler,
    internal_error_handler,
    request_validation_handler,
)
from fastapi_tuned_app.middleware import RequestGuardMiddleware
from fastapi_tuned_app.routes import router
from fastapi_tuned_app.settings import Settings, get_settings

Handler = Callable[[Request, Exception], Coroutine[Any, Any, Response]]

EXCEPTION_HANDLERS: dict[int | type[Exception], Handler] = {
    ApiError: api_error_handler,
    HTTPException: http_error_handler,
    RequestValidationError: request_validation_handler,
    asyncpg.PostgresError: database_error_handler,
    asyncpg.InterfaceError: database_error_handler,
    OSError: database_error_handler,
    TimeoutError: database_error_handler,
    Exception: internal_error_handler,
}


class State(TypedDict):
    pool: Pool


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the connection pool is created per worker, at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        async with pool_create(settings) as pool:
            yield {"pool": pool}

    app = FastAPI(
        title="Commerce API (FastAPI, tuned)",
        lifespan=lifespan,
        redirect_slashes=False,
        # The contract has no documentation paths; they would answer where 404 is expected.
        # /openapi.json serves docs/openapi.json (routes.py), not a generated schema.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.include_router(router)
    app.add_middleware(RequestGuardMiddleware)
    return app


app = create_app(get_settings())
