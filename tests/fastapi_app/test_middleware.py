"""Requests refused before routing, driven as an ASGI server would drive them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable

import pytest
from starlette.types import Message, Receive, Scope, Send

from fastapi_app.errors import PayloadTooLargeError
from fastapi_app.middleware import RequestGuardMiddleware
from fastapi_app.rules import MAX_BODY_BYTES


class _BodyEcho:
    """Reads the whole body, then answers with its length; notes whether it ran at all."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def _scope(content_length: int | None, method: str = "POST", http_version: str = "1.1") -> Scope:
    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    return {
        "type": "http",
        "method": method,
        "http_version": http_version,
        "path": "/",
        "headers": headers,
    }


def _run(app: RequestGuardMiddleware, scope: Scope, chunks: Iterable[bytes]) -> list[Message]:
    pending = list(chunks)
    sent: list[Message] = []

    async def receive() -> Message:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_declared_length_over_the_limit_is_refused_before_the_app_runs() -> None:
    inner = _BodyEcho()
    sent = _run(RequestGuardMiddleware(inner), _scope(MAX_BODY_BYTES + 1), [b""])
    assert not inner.called
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("method", "http_version"),
    [("FOO", "1.1"), ("PROPFIND", "1.1"), ("get", "1.1"), ("GET", "2.0"), ("GET", "0.9")],
)
def test_unknown_method_or_version_is_refused_before_the_app_runs(
    method: str, http_version: str
) -> None:
    inner = _BodyEcho()
    sent = _run(RequestGuardMiddleware(inner), _scope(None, method, http_version), [b""])
    assert not inner.called
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["error"]["code"] == "validation_error"


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PATCH"])
def test_standard_methods_reach_the_app(method: str) -> None:
    inner = _BodyEcho()
    _run(RequestGuardMiddleware(inner), _scope(None, method, "1.0"), [b""])
    assert inner.called


@pytest.mark.parametrize("length", [0, 1, MAX_BODY_BYTES])
def test_bodies_up_to_the_limit_pass(length: int) -> None:
    sent = _run(RequestGuardMiddleware(_BodyEcho()), _scope(length), [b"x" * length])
    assert (sent[0]["status"], sent[1]["body"]) == (200, str(length).encode())


def test_streamed_body_is_counted_while_read() -> None:
    chunks = [b"x" * 30000, b"x" * 30000, b"x" * 30000, b"x" * 30000]
    with pytest.raises(PayloadTooLargeError):
        _run(RequestGuardMiddleware(_BodyEcho()), _scope(None), chunks)


def test_streamed_body_of_exactly_the_limit_passes() -> None:
    chunks = [b"x" * 32768, b"x" * 32768]
    sent = _run(RequestGuardMiddleware(_BodyEcho()), _scope(None), chunks)
    assert sent[1]["body"] == str(MAX_BODY_BYTES).encode()


def test_non_http_scopes_pass_through() -> None:
    inner = _BodyEcho()
    scope = {"type": "websocket", "headers": [(b"content-length", b"100000")]}
    _run(RequestGuardMiddleware(inner), scope, [b""])
    assert inner.called
