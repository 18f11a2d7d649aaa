"""Requests refused before routing, as pure ASGI middleware: unknown methods, bodies too large."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_tuned_app.errors import PayloadTooLargeError, ValidationError
from fastapi_tuned_app.handlers import error_response
from fastapi_tuned_app.rules import MAX_BODY_BYTES, request_refusal


class RequestGuardMiddleware:
    """Answer 400 for an unknown method or HTTP version, 413 for a body over the limit.

    A declared Content-Length is checked up front; a streamed body is counted as it is read,
    so a body that is too large is never buffered whole.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        raw_target = (scope.get("raw_path") or b"") + b"?" + scope.get("query_string", b"")
        refused = request_refusal(
            method=scope["method"],
            http_version=scope["http_version"],
            target=raw_target.decode("latin-1"),
            path=scope["path"],
            transfer_encoding=headers.get("transfer-encoding"),
            content_length=headers.get("content-length"),
        )
        if refused is not None:
            await error_response(ValidationError(refused))(scope, receive, send)
            return
        declared = headers.get("content-length")
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
