"""JSON body reading: media type first, then pydantic-core's parser, then strict validation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request

from fastapi_app.deps import json_body
from fastapi_app.errors import UnsupportedMediaTypeError, ValidationError
from fastapi_app.schemas import OrderIn

VALID = b'{"order_number": "o-1", "product_id": 1, "items": [{"item_id": 2, "quantity": 3}]}'


def _read(body: bytes, content_type: str | None = "application/json") -> OrderIn:
    headers = [] if content_type is None else [(b"content-type", content_type.encode("latin-1"))]
    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/", "headers": headers}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return asyncio.run(json_body(OrderIn)(Request(scope, receive)))


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON", "application/json; charset=utf-8"]
)
def test_reads_application_json_with_or_without_parameters(content_type: str) -> None:
    assert _read(VALID, content_type).product_id == 1


@pytest.mark.parametrize(
    "content_type", [None, "", "text/plain", "application/jsonx", "application/problem+json"]
)
def test_other_media_types_are_refused_before_parsing(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaTypeError):
        _read(b"not even json", content_type)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b'"text"',
        b"null",
        VALID[:-1] + b', "extra": NaN}',
        VALID[:-1] + b', "extra": [Infinity]}',
        VALID[:-1] + b', "extra": "\xff"}',
        VALID[:-1] + b', "extra": "\\ud800"}',
        VALID[:-1] + b', "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        VALID + b" trailing",
        b"\xef\xbb\xbf" + VALID,
    ],
)
def test_malformed_or_non_object_json_is_a_validation_error(body: bytes) -> None:
    with pytest.raises(ValidationError):
        _read(body)


def test_duplicate_keys_take_the_last_value() -> None:
    assert _read(VALID[:-1] + b', "product_id": 7}').product_id == 7


def test_field_errors_are_flattened_to_dotted_paths() -> None:
    body = b'{"order_number": "o-1", "product_id": "1", "items": [{"item_id": 2, "quantity": 0}]}'
    with pytest.raises(ValidationError) as exc:
        _read(body)
    assert exc.value.fields is not None
    assert set(exc.value.fields) == {"product_id", "items.0.quantity"}
