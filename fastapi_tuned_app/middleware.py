"""Request body size limit as pure ASGI middleware: never buffers a body that is too large."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_tuned_app.errors import PayloadTooLargeError, error_response

MAX_BODY_BYTES = 65536


class BodyLimitMiddleware:
    """Answer 413 for a declared Content-Length over the limit; count streamed bodies as read."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if (
            declared
            and declared.isascii()
            and declared.isdigit()
            and int(declared) > self.max_body_bytes
        ):
            await error_response(PayloadTooLargeError())(scope, receive, send)
            return

        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # Raised inside whoever is reading the body; the ApiError handler answers.
                    raise PayloadTooLargeError()
            return message

        await self.app(scope, receive_limited, send)
