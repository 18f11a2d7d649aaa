"""The 64 KiB body limit, driven as a WSGI server drives it, and strict JSON object bodies."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.http import HttpRequest

from django_tuned_app.errors import UnsupportedMediaTypeError, ValidationError
from django_tuned_app.middleware import RequestGuardMiddleware, json_body
from django_tuned_app.rules import MAX_BODY_BYTES


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


def _request(body: bytes, content_type: str = "application/json") -> HttpRequest:
    # The two attributes json_body reads, as WSGIRequest sets them (the content type parsed
    # and lower-cased); a real HttpRequest would need the process's Django settings, which
    # belong to django_app's unit tests.
    return cast(HttpRequest, SimpleNamespace(content_type=content_type, body=body))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"NaN",
        b"[]",
        b"null",
        b'{"a": Infinity}',
        b"\xff{}",
        b"\xef\xbb\xbf{}",
        b"[" * 100_000,
        b'{"a": 1' + b"0" * 5000 + b"}",
    ],
)
def test_every_malformed_or_non_object_body_is_a_validation_error(raw: bytes) -> None:
    with pytest.raises(ValidationError):
        json_body(_request(raw))


def test_duplicate_keys_keep_the_last_value() -> None:
    assert json_body(_request(b'{"a": 1, "a": 2}')) == {"a": 2}


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/jsonx"])
def test_other_media_types_are_refused_before_reading(content_type: str) -> None:
    with pytest.raises(UnsupportedMediaTypeError):
        json_body(_request(b"not even json", content_type))
