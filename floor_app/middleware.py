"""Request plumbing: headers, query strings, the JSON body (64 KiB limit, media type), replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
from asyncpg import Record
from asyncpg.pool import PoolAcquireContext

from floor_app.db import Pool
from floor_app.errors import (
    ApiError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationError,
    error_body,
)
from floor_app.rules import BODY_CUT_OFF_MESSAGE, MAX_BODY_BYTES

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON = (b"content-type", b"application/json")


@dataclass(frozen=True, slots=True)
class Response:
    """A JSON answer: status, body bytes, extra headers."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


def json_response(data: Any, status: int = 200) -> Response:
    """Serialize `data` into a JSON response."""
    return Response(status, orjson.dumps(data))


def error_response(error: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    """Return the JSON response for an error."""
    return Response(
        error.status, orjson.dumps(error_body(error)), {**error.headers, **(headers or {})}
    )


async def response_send(send: Send, response: Response, *, head: bool = False) -> None:
    """Send a response as the two ASGI messages; a HEAD answer has the headers only."""
    headers = [_JSON, (b"content-length", str(len(response.body)).encode())]
    headers += [(k.lower().encode(), v.encode("latin-1")) for k, v in response.headers.items()]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    # uvicorn sends what it is given: a body after a HEAD answer would be read by the client
    # as the start of the next response on the connection.
    await send({"type": "http.response.body", "body": b"" if head else response.body})


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (`name` lower-case), or None."""
    headers: Iterable[tuple[bytes, bytes]] = scope["headers"]
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def declared_too_large(scope: Scope) -> bool:
    """Tell whether the request announces a body over the limit (answered before reading)."""
    declared = header(scope, b"content-length")
    return bool(
        declared and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES
    )


def query_params(scope: Scope) -> dict[str, str]:
    """The query string as a dict; for a repeated key the last value wins."""
    raw: bytes = scope["query_string"]
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True)) if raw else {}


@dataclass(slots=True)
class Request:
    """What a handler needs: the ASGI scope and receive, the pool, and the path's id."""

    scope: Scope
    receive: Receive
    pool: Pool
    pool_timeout: float
    pk: str = ""

    def connection(self) -> PoolAcquireContext[Record]:
        """Check a connection out of the pool for the block (503 when none comes in time)."""
        return self.pool.acquire(timeout=self.pool_timeout)


async def body_read(receive: Receive) -> bytes:
    """Read the whole body, counting bytes as they come: 413 as soon as it passes the limit."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ValidationError(BODY_CUT_OFF_MESSAGE)
        body += message.get("body", b"")
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLargeError()
        if not message.get("more_body", False):
            return bytes(body)


async def json_body(request: Request) -> dict[str, Any]:
    """Read an application/json body that is a JSON object."""
    media_type = (header(request.scope, b"content-type") or "").partition(";")[0]
    if media_type.strip().lower() != "application/json":
        raise UnsupportedMediaTypeError()
    body = await body_read(request.receive)
    try:
        # RFC 8259 only: NaN, Infinity, bad UTF-8, lone surrogates, a BOM and nesting beyond
        # 1024 levels are all errors, and a repeated key keeps its last value.
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"Malformed JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.")
    return data
