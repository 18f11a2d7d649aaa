"""Routing and the answers the app gives before any handler runs (no database needed)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest

from floor_app import routes
from floor_app.middleware import Message
from floor_app.settings import get_settings


# floor_app.main builds the app from the environment when imported: import it in the tests,
# after conftest's app_env fixture has set that environment.
def _main() -> Any:
    import floor_app.main

    return floor_app.main


@pytest.mark.parametrize(
    ("path", "pk"),
    [("/health", ""), ("/products", ""), ("/products/12", "12"), ("/orders/abc", "abc")],
)
def test_known_paths_are_routed(path: str, pk: str) -> None:
    found = _main().route(path)
    assert found is not None and found[1] == pk


@pytest.mark.parametrize(
    "path", ["/", "/products/", "/products/1/", "/products/1/x", "/orders//", "/nope", "/health/"]
)
def test_other_paths_are_unknown(path: str) -> None:
    assert _main().route(path) is None


def _call(method: str, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": headers or [],
    }
    asyncio.run(_main().App(get_settings())(scope, receive, send))
    start, body = sent
    return start["status"], dict(start["headers"]), json.loads(body["body"])


def test_unknown_path_is_404_in_the_envelope() -> None:
    status, headers, body = _call("POST", "/nope")
    assert (status, headers[b"content-type"]) == (404, b"application/json")
    assert body["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("GET", "/orders", b"POST"), ("DELETE", "/orders/1", b"GET")],
)
def test_wrong_method_is_405_with_allow(method: str, path: str, allow: bytes) -> None:
    status, headers, body = _call(method, path)
    assert (status, headers[b"allow"], body["error"]["code"]) == (405, allow, "method_not_allowed")


def test_a_head_answer_has_headers_only() -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "HEAD",
        "path": "/health",
        "query_string": b"",
        "headers": [],
    }
    asyncio.run(_main().App(get_settings())(scope, receive, send))
    headers = dict(sent[0]["headers"])
    assert (sent[0]["status"], headers[b"allow"]) == (405, b"GET")
    assert int(headers[b"content-length"]) > 0
    assert sent[1]["body"] == b""


def test_a_declared_body_over_the_limit_is_413_before_routing() -> None:
    status, _, body = _call("GET", "/nope", [(b"content-length", b"1073741824")])
    assert (status, body["error"]["code"]) == (413, "payload_too_large")


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ConnectionRefusedError(), 503),
        (TimeoutError(), 503),
        (asyncpg.exceptions.ConnectionDoesNotExistError("gone"), 503),
        (asyncpg.exceptions.QueryCanceledError("statement timeout"), 503),
        (asyncpg.exceptions.TooManyConnectionsError("too many"), 503),
        (asyncpg.InterfaceError("connection is closed"), 503),
        (asyncpg.exceptions.UndefinedTableError("no table"), 500),
        (ValueError("bug"), 500),
    ],
)
def test_failures_are_503_when_the_database_is_unavailable_else_500(
    exc: Exception, status: int
) -> None:
    response = _main().App.failure(exc)
    assert response.status == status
    assert json.loads(response.body)["error"]["code"] in ("unavailable", "internal_error")


def test_openapi_document_is_read_once_from_docs() -> None:
    assert routes.OPENAPI_PATH.read_bytes() == routes.OPENAPI
