"""Input rules: path ids, paging, email and order number shapes, request refusals (DECISIONS.md)."""

from __future__ import annotations

import pytest

from fastapi_app.errors import ValidationError
from fastapi_app.rules import (
    EMAIL_RE,
    MAX_BIGINT,
    ORDER_NUMBER_RE,
    db_answer_limit,
    parse_page,
    parse_pk,
    parse_query_int,
    request_refusal,
)

LONG_DOMAIN = ("b" * 63 + ".") * 3 + "com"  # 195 characters: with "aaaa@" exactly 200


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", 1), ("42", 42), (str(MAX_BIGINT), MAX_BIGINT)],
)
def test_parse_pk_accepts_positive_64_bit_integers(raw: str, expected: int) -> None:
    assert parse_pk(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["007", "0", "-1", "+1", "1.0", "9223372036854775808", "", " 1", "1\n", "\u0661", "1e3", "0x1"],
)
def test_parse_pk_rejects_everything_else(raw: str) -> None:
    assert parse_pk(raw) is None


def test_parse_query_int_defaults_when_absent() -> None:
    assert parse_query_int(None, default=20, minimum=1, maximum=100) == 20


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("100", 100), ("007", 7)])
def test_parse_query_int_takes_digits_within_bounds(raw: str, expected: int) -> None:
    assert parse_query_int(raw, default=20, minimum=1, maximum=100) == expected


@pytest.mark.parametrize("raw", ["", "0", "101", "-1", "+1", "1.0", " 1", "1\n", "abc", "\uff11"])
def test_parse_query_int_rejects_non_digits_and_out_of_bounds(raw: str) -> None:
    assert parse_query_int(raw, default=20, minimum=1, maximum=100) is None


def test_parse_query_int_rejects_more_than_19_digits() -> None:
    assert parse_query_int("0" * 19, default=0, minimum=0, maximum=MAX_BIGINT) == 0
    assert parse_query_int("0" * 20, default=0, minimum=0, maximum=MAX_BIGINT) is None


@pytest.mark.parametrize(
    "email",
    [
        "a@example.com",
        "First.Last+tag@sub.example.co",
        "x!#$%&'*+/=?^_`{|}~-@example.com",
        "a" * 64 + "@example.com",
        "a@" + "b" * 63 + ".com",
        "a" * 4 + "@" + LONG_DOMAIN,
    ],
)
def test_email_re_accepts_valid_addresses(email: str) -> None:
    assert EMAIL_RE.match(email)


@pytest.mark.parametrize(
    "email",
    [
        "a@b",
        "@example.com",
        "a@example",
        "a@example.c",
        "a b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a..b@example.com",
        "a" * 65 + "@example.com",
        "a" * 5 + "@" + LONG_DOMAIN,
        "a@-b.com",
        "a@b-.com",
        "a@" + "b" * 64 + ".com",
        "a@example.com\n",
        "ä@example.com",
        "a@@example.com",
    ],
)
def test_email_re_rejects_invalid_addresses(email: str) -> None:
    assert EMAIL_RE.match(email) is None


@pytest.mark.parametrize("number", ["a", "ORD_2026-11-25", "9" * 100])
def test_order_number_re_accepts_letters_digits_dash_underscore(number: str) -> None:
    assert ORDER_NUMBER_RE.match(number)


@pytest.mark.parametrize("number", ["", "a b", "a.b", "ä", "a\n", "9" * 101])
def test_order_number_re_rejects_everything_else(number: str) -> None:
    assert ORDER_NUMBER_RE.match(number) is None


def test_parse_page_defaults_and_bounds() -> None:
    assert parse_page(limit=None, offset=None) == (20, 0)
    assert parse_page(limit="100", offset=str(MAX_BIGINT)) == (100, MAX_BIGINT)


@pytest.mark.parametrize(
    ("limit", "offset", "fields"),
    [("0", None, {"limit"}), ("101", "x", {"limit", "offset"}), (None, "-1", {"offset"})],
)
def test_parse_page_names_each_bad_value(
    limit: str | None, offset: str | None, fields: set[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_page(limit=limit, offset=offset)
    assert caught.value.fields is not None and set(caught.value.fields) == fields


def _refusal(**changes: str | None) -> str | None:
    """request_refusal of a plain GET /products?limit=1 over HTTP/1.1, with `changes`."""
    request: dict[str, str | None] = {
        "method": "GET",
        "http_version": "1.1",
        "target": "/products?limit=1",
        "path": "/products",
        "transfer_encoding": None,
        "content_length": None,
    }
    request.update(changes)
    return request_refusal(**request)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_standard_requests_are_not_refused(method: str, version: str) -> None:
    assert _refusal(method=method, http_version=version) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "FOO"},
        {"method": "get"},
        {"method": "PROPFIND"},
        {"http_version": "2.0"},
        {"http_version": "0.9"},
        {"target": "/products/\xff", "path": "/products/\xff"},
        {"method": "CONNECT", "target": "127.0.0.1:443", "path": "127.0.0.1:443"},
        {"http_version": "1.0", "transfer_encoding": "chunked"},
        {"content_length": str(MAX_BIGINT + 1)},
    ],
)
def test_unknown_methods_versions_targets_and_framing_are_refused(
    changes: dict[str, str],
) -> None:
    assert _refusal(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "OPTIONS", "target": "*", "path": "*"},  # left to routing: 404
        {"target": "/products/%C3%A9", "path": "/products/\u00e9"},  # percent-encoded is fine
        {"transfer_encoding": "chunked"},
        {"content_length": str(MAX_BIGINT)},  # too large is the body limit's 413
    ],
)
def test_other_requests_are_left_to_the_app(changes: dict[str, str]) -> None:
    assert _refusal(**changes) is None


def test_db_answer_limit_is_the_statement_timeout_and_a_margin() -> None:
    assert db_answer_limit(statement_timeout_ms=5000) == 6.0
