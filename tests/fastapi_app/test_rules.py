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


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_standard_requests_are_not_refused(method: str, version: str) -> None:
    assert (
        request_refusal(method=method, http_version=version, transfer_encoding=None, path="/x")
        is None
    )


@pytest.mark.parametrize(
    ("method", "version", "transfer_encoding", "path"),
    [
        ("FOO", "1.1", None, "/"),
        ("get", "1.1", None, "/"),
        ("PROPFIND", "1.1", None, "/"),
        ("GET", "2.0", None, "/"),
        ("GET", "0.9", None, "/"),
        ("POST", "1.0", "chunked", "/"),
        ("CONNECT", "1.1", None, "127.0.0.1:443"),
    ],
)
def test_unknown_methods_versions_framing_and_targets_are_refused(
    method: str, version: str, transfer_encoding: str | None, path: str
) -> None:
    refusal = request_refusal(
        method=method, http_version=version, transfer_encoding=transfer_encoding, path=path
    )
    assert refusal


def test_an_asterisk_target_is_left_to_routing() -> None:
    assert (
        request_refusal(method="OPTIONS", http_version="1.1", transfer_encoding=None, path="*")
        is None
    )


def test_chunked_is_fine_on_http_1_1() -> None:
    assert (
        request_refusal(method="POST", http_version="1.1", transfer_encoding="chunked", path="/")
        is None
    )


def test_db_answer_limit_is_the_statement_timeout_and_a_margin() -> None:
    assert db_answer_limit(statement_timeout_ms=5000) == 6.0
