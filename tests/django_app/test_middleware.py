"""Requests refused before routing, driven as a WSGI server drives them, and the JSON parser."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

import pytest
from rest_framework.exceptions import ParseError

from django_app.middleware import RequestGuardMiddleware, StrictJsonParser
from django_app.rules import MAX_BODY_BYTES


class _BodyEcho:
    """Reads the body Django would read (CONTENT_LENGTH bytes) and answers with its length."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.environ = environ
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(len(body)).encode()]


class _ChunkedInput:
    """Like gunicorn's chunked body: readline(n) never waits for more than n bytes."""

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)
        self.asked = 0

    def readline(self, size: int) -> bytes:
        self.asked += size
        return self.stream.readline(size)


def _call(environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes, _BodyEcho]:
    app = _BodyEcho()
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    request = {"REQUEST_METHOD": "POST", "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/", **environ}
    body = b"".join(RequestGuardMiddleware(app)(request, start_response))
    return seen["status"], seen["headers"], body, app


def test_declared_length_over_the_limit_is_refused_unread() -> None:
    status, headers, body, app = _call(
        {"CONTENT_LENGTH": str(MAX_BODY_BYTES + 1), "wsgi.input": io.BytesIO()}
    )
    assert status.startswith("413")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    assert app.environ is None


@pytest.mark.parametrize(
    "environ",
    [
        {"REQUEST_METHOD": "FOO"},
        {"REQUEST_METHOD": "PROPFIND"},
        {"REQUEST_METHOD": "get"},
        {"SERVER_PROTOCOL": "HTTP/2.0"},
        {"SERVER_PROTOCOL": "HTTP/0.9"},
        {"REQUEST_METHOD": "CONNECT", "PATH_INFO": "127.0.0.1:443"},
        {"RAW_URI": "/products/\xff", "PATH_INFO": "/products/\xff"},
        {"CONTENT_LENGTH": "9" * 20},
    ],
)
def test_unknown_method_or_version_is_refused_before_django(environ: dict[str, str]) -> None:
    status, headers, body, app = _call({**environ, "wsgi.input": io.BytesIO()})
    assert status.startswith("400")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "validation_error"
    assert app.environ is None


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PATCH"])
def test_standard_methods_reach_django(method: str) -> None:
    status, _, _, app = _call({"REQUEST_METHOD": method, "wsgi.input": io.BytesIO()})
    assert status == "200 OK" and app.environ is not None


def test_declared_length_at_the_limit_passes() -> None:
    data = b"x" * MAX_BODY_BYTES
    status, _, body, _ = _call({"CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data)})
    assert (status, body) == ("200 OK", str(MAX_BODY_BYTES).encode())


def test_chunked_body_over_the_limit_is_cut_off_after_one_byte_more() -> None:
    stream = _ChunkedInput(b"x" * (10 * MAX_BODY_BYTES))
    status, _, _, app = _call({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": stream})
    assert status.startswith("413")
    assert stream.asked == MAX_BODY_BYTES + 1
    assert app.environ is None


def test_chunked_body_within_the_limit_reaches_django_with_a_length() -> None:
    data = b'{"a":\n1}\n' * 100
    status, _, body, app = _call(
        {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": _ChunkedInput(data)}
    )
    assert (status, body) == ("200 OK", str(len(data)).encode())
    assert app.environ is not None and app.environ["CONTENT_LENGTH"] == str(len(data))


def test_content_type_parameters_django_cannot_parse_are_dropped() -> None:
    _, _, _, app = _call(
        {"CONTENT_TYPE": "application/json; charset*=xx''utf-8", "wsgi.input": io.BytesIO()}
    )
    assert app.environ is not None and app.environ["CONTENT_TYPE"] == "application/json"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"NaN",
        b'{"a": Infinity}',
        b"\xff{}",
        b"[" * 100_000,
        b'{"a": 1' + b"0" * 5000 + b"}",
    ],
)
def test_parser_turns_every_malformed_body_into_a_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError):
        StrictJsonParser().parse(io.BytesIO(raw))


def test_parser_keeps_the_last_duplicate_key() -> None:
    assert StrictJsonParser().parse(io.BytesIO(b'{"a": 1, "a": 2}')) == {"a": 2}


def test_head_answers_carry_no_body() -> None:
    status, _, body, app = _call({"REQUEST_METHOD": "HEAD", "wsgi.input": io.BytesIO()})
    assert status == "200 OK" and app.environ is not None
    assert body == b""
