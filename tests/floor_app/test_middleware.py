"""Request plumbing: the 64 KiB limit while reading, media type, strict JSON, query strings."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import pytest

from floor_app.errors import PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError
from floor_app.middleware import (
    Message,
    Request,
    declared_too_large,
    json_body,
    query_params,
)
from floor_app.rules import MAX_BODY_BYTES


def _request(chunks: Iterable[bytes], content_type: str | None = "application/json") -> Request:
    pending = list(chunks)
    headers = [] if content_type is None else [(b"content-type", content_type.encode("latin-1"))]

    async def receive() -> Message:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    scope: dict[str, Any] = {"type": "http", "headers": headers}
    return Request(scope, receive, pool=None, pool_timeout=1)  # type: ignore[arg-type]


def _read(body: bytes | list[bytes], content_type: str | None = "application/json") -> Any:
    chunks = body if isinstance(body, list) else [body]
    return asyncio.run(json_body(_request(chunks, content_type)))


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON", "application/json; charset=utf-8"]
)
def test_reads_application_json_with_or_without_parameters(content_type: str) -> None:
    assert _read(b'{"a": 1}', content_type) == {"a": 1}


@pytest.mark.parametrize(
    "content_type", [None, "", "text/plain", "application/jsonx", "application/problem+json"]
)
def test_other_media_types_are_refused_before_reading(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaTypeError):
        _read(b"not even json", content_type)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1e400}',
        b'{"a": "\xff"}',
        b'{"a": "\\ud800"}',
        b'{"a": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        b'{"a": 1} trailing',
        b'\xef\xbb\xbf{"a": 1}',
    ],
)
def test_malformed_or_non_object_json_is_a_validation_error(body: bytes) -> None:
    with pytest.raises(ValidationError):
        _read(body)


def test_duplicate_keys_take_the_last_value() -> None:
    assert _read(b'{"a": 1, "a": 2}') == {"a": 2}


def test_a_streamed_body_is_counted_while_read() -> None:
    with pytest.raises(PayloadTooLargeError):
        _read([b" " * 30000] * 3 + [b"{}"])


def test_a_streamed_body_of_exactly_the_limit_is_read() -> None:
    half = MAX_BODY_BYTES // 2
    assert _read([b"{}" + b" " * (half - 2), b" " * half]) == {}


@pytest.mark.parametrize(
    ("declared", "too_large"),
    [(None, False), (b"0", False), (str(MAX_BODY_BYTES).encode(), False), (b"65537", True)],
)
def test_declared_length_over_the_limit(declared: bytes | None, too_large: bool) -> None:
    headers = [] if declared is None else [(b"content-length", declared)]
    assert declared_too_large({"headers": headers}) is too_large


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", {}),
        (b"limit=5", {"limit": "5"}),
        (b"limit=3&limit=x", {"limit": "x"}),
        (b"limit=&offset=%2B5", {"limit": "", "offset": "+5"}),
    ],
)
def test_query_params_last_value_wins(query: bytes, expected: dict[str, str]) -> None:
    assert query_params({"query_string": query}) == expected
