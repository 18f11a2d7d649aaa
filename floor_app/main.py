"""The ASGI callable: settings checked at import, one pool per worker, JSON for every error."""

from __future__ import annotations

import logging
from typing import Any

from floor_app import routes
from floor_app.db import Pool, database_unavailable, pool_create
from floor_app.errors import (
    ApiError,
    InternalError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    UnavailableError,
    ValidationError,
)
from floor_app.middleware import (
    Receive,
    Request,
    Response,
    Scope,
    Send,
    declared_too_large,
    error_response,
    header,
    response_send,
)
from floor_app.rules import request_refusal
from floor_app.settings import Settings, get_settings

logger = logging.getLogger(__name__)

# path -> {method: handler}; the paths with an id are matched by prefix, one segment after it.
ROUTES: dict[str, dict[str, routes.Handler]] = {
    "/health": {"GET": routes.health_view},
    "/auth/register": {"POST": routes.register_view},
    "/auth/login": {"POST": routes.login_view},
    "/products": {"GET": routes.product_list_view},
    "/orders": {"POST": routes.order_create_view},
    "/openapi.json": {"GET": routes.openapi_view},
}
ID_ROUTES: dict[str, dict[str, routes.Handler]] = {
    "/products/": {"GET": routes.product_detail_view},
    "/orders/": {"GET": routes.order_detail_view},
}


def route(path: str) -> tuple[dict[str, routes.Handler], str] | None:
    """The methods of the path's route and the path's id segment, or None for an unknown path."""
    methods = ROUTES.get(path)
    if methods is not None:
        return methods, ""
    prefix, slash, pk = path.rpartition("/")
    methods = ID_ROUTES.get(prefix + slash)
    return None if methods is None or not pk else (methods, pk)


class App:
    """The whole API as one ASGI callable; the pool is created per worker, at lifespan start."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool: Pool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = await self.respond(scope, receive)
            await response_send(send, response, head=scope["method"] == "HEAD")
        elif scope["type"] == "lifespan":
            await self.lifespan(receive, send)

    async def respond(self, scope: Scope, receive: Receive) -> Response:
        """Route the request, run its handler, and turn every failure into the envelope."""
        refused = request_refusal(
            method=scope["method"],
            http_version=scope["http_version"],
            target=((scope.get("raw_path") or b"") + b"?" + scope["query_string"]).decode(
                "latin-1"
            ),
            path=scope["path"],
            transfer_encoding=header(scope, b"transfer-encoding"),
            content_length=header(scope, b"content-length"),
        )
        if refused is not None:
            return error_response(ValidationError(refused))
        if declared_too_large(scope):
            return error_response(PayloadTooLargeError())
        found = route(scope["path"])
        if found is None:
            return error_response(NotFoundError())
        methods, pk = found
        handler = methods.get(scope["method"])
        if handler is None:
            return error_response(MethodNotAllowedError(), {"Allow": ", ".join(methods)})
        assert self.pool is not None, "the lifespan start-up creates the pool"
        request = Request(scope, receive, self.pool, self.settings.db_pool_timeout_seconds, pk)
        try:
            return await handler(request)
        except ApiError as exc:
            return error_response(exc)
        except Exception as exc:
            return self.failure(exc)

    @staticmethod
    def failure(exc: Exception) -> Response:
        """503 when the database is unreachable or timed out, 500 for any other failure."""
        if database_unavailable(exc):
            reason = str(exc).partition("\n")[0]
            logger.warning("database unavailable: %s: %s", type(exc).__name__, reason)
            return error_response(UnavailableError())
        logger.error("unexpected error", exc_info=exc)
        return error_response(InternalError())

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """Create the pool at start-up and close it at shutdown."""
        message: dict[str, Any] = await receive()
        if message["type"] == "lifespan.startup":
            self.pool = pool_create(self.settings)
            await self.pool
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        if message["type"] == "lifespan.shutdown":
            if self.pool is not None:
                await self.pool.close()
            await send({"type": "lifespan.shutdown.complete"})


app = App(get_settings())
