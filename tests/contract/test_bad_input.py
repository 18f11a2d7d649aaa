"""Malformed and random bodies on every POST endpoint: a 4xx in the JSON envelope, never a 5xx."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract._factory import (
    BODY_LIMIT,
    assert_client_error,
    bearer,
    describe,
    expect,
    expect_error,
    parse_json,
    register,
    unique_email,
)

ENDPOINTS = ["/auth/register", "/auth/login", "/orders"]
SUCCESS = {"/auth/register": {201, 409}, "/auth/login": {200, 401}, "/orders": {201, 409}}


@dataclass(frozen=True)
class Target:
    path: str
    headers: dict[str, str]

    def post(self, client: httpx.Client, content: bytes) -> httpx.Response:
        headers = {"Content-Type": "application/json", **self.headers}
        return client.post(self.path, content=content, headers=headers)


@pytest.fixture(params=ENDPOINTS)
def target(request: pytest.FixtureRequest, client: httpx.Client) -> Target:
    path: str = request.param
    if path == "/orders":
        _, token, _ = register(client)
        return Target(path, bearer(token))
    return Target(path, {})


HUGE = {
    "2-64": b"18446744073709551616",
    "10-400": b"1" + b"0" * 400,
    "minus-10-400": b"-1" + b"0" * 400,
    "1e400": b"1e400",
}
ALL_FIELDS = ("email", "password", "order_number", "product_id", "items")


def _every_field(value: bytes) -> bytes:
    return b"{" + b", ".join(b'"%s": %s' % (f.encode(), value) for f in ALL_FIELDS) + b"}"


# Each of these must be 400 validation_error on every POST endpoint.
MALFORMED: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b"  \r\n ",
    "invalid-utf8": b'{"email": "\xff\xfe@example.com", "password": "long-enough"}',
    "invalid-utf8-only": b"\xff\xfe\xfd",
    "overlong-utf8": b'{"email": "\xc0\xafa@example.com", "password": "long-enough"}',
    "truncated-utf8": b'{"email": "a@example.com", "password": "long-enough\xe2\x82"}',
    "utf16": '{"email": "a@example.com"}'.encode("utf-16"),
    "truncated": b'{"email": "a@example.com"',
    "single-quotes": b"{'email': 'a@example.com'}",
    "trailing-comma": b'{"email": "a@example.com",}',
    "comment": b'{"email": "a@example.com" /* hi */}',
    "two-documents": b"{} {}",
    "raw-control-char": b'{"email": "a\x01@example.com", "password": "long-enough"}',
    "nan": _every_field(b"NaN"),
    "infinity": _every_field(b"Infinity"),
    "minus-infinity": _every_field(b"-Infinity"),
    "bare-nan": b"NaN",
    "null": b"null",
    "true": b"true",
    "number": b"42",
    "string": b'"{\\"email\\": \\"a@example.com\\"}"',
    "array": b"[]",
    "array-of-object": b'[{"email": "a@example.com", "password": "long-enough"}]',
    "empty-object": b"{}",
    "deep-array": b"[" * 30000 + b"]" * 30000,
    "deep-object": b'{"a":' * 10000 + b"1" + b"}" * 10000,
    "deep-in-fields": _every_field(b"[" * 5000 + b"]" * 5000),
    "wrong-types": _every_field(b"true"),
    "objects-everywhere": _every_field(b'{"nested": {"x": [1, 2, 3]}}'),
    "duplicate-keys-bad-last": (
        b'{"email": "a@example.com", "password": "long-enough", "order_number": "a", '
        b'"product_id": 1, "items": [], "email": 5, "password": 5, "order_number": 5, '
        b'"product_id": "5", "items": 5}'
    ),
    **{f"huge-{name}": _every_field(value) for name, value in HUGE.items()},
}

# Unusual but well-formed JSON: any 4xx in the envelope is fine, a 5xx never is.
ODD: dict[str, bytes] = {
    "lone-surrogates": (
        b'{"email": "\\ud800@example.com", "password": "\\udfff-long-enough", '
        b'"order_number": "\\ud800", "product_id": 1, "items": [{"item_id": 1, "quantity": 1}]}'
    ),
    "nul-characters": (
        b'{"email": "a\\u0000@example.com", "password": "\\u0000\\u0000\\u0000\\u0000x\\u0000x'
        b'\\u0000x", "order_number": "\\u0000", "product_id": 1, "items": []}'
    ),
    "bom": b'\xef\xbb\xbf{"email": "a@example.com", "password": "long-enough"}',
    "negative-zero": _every_field(b"-0"),
    "exponent-integer": _every_field(b"1E2"),
    "long-strings": _every_field(b'"' + b"x" * 10000 + b'"'),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_body_is_a_validation_error(
    client: httpx.Client, target: Target, case: str
) -> None:
    expect_error(target.post(client, MALFORMED[case]), 400, "validation_error")


@pytest.mark.parametrize("case", list(ODD))
def test_odd_body_is_a_client_error(client: httpx.Client, target: Target, case: str) -> None:
    assert_client_error(target.post(client, ODD[case]))


def test_nesting_beyond_the_body_limit_is_too_large(client: httpx.Client, target: Target) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    assert len(body) > BODY_LIMIT
    expect_error(target.post(client, body), 413, "payload_too_large")


def test_duplicate_keys_last_wins(client: httpx.Client) -> None:
    email = unique_email()
    body = b'{"email": 5, "password": "x", "email": "%s", "password": "long-enough"}'
    resp = client.post(
        "/auth/register",
        content=body % email.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert expect(resp, 201)["user"]["email"] == email


# --- properties ------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=15,
)
ints = st.integers() | st.integers(min_value=-2, max_value=2**64)
SHAPED: dict[str, st.SearchStrategy[Any]] = {
    "/auth/register": st.fixed_dictionaries(
        {},
        optional={
            "email": json_values | st.emails().map(str),
            "password": json_values | st.text(min_size=0, max_size=140),
        },
    ),
    "/auth/login": st.fixed_dictionaries(
        {},
        optional={
            "email": json_values | st.just("bench-1@example.com"),
            "password": json_values | st.just("bench-password"),
        },
    ),
    "/orders": st.fixed_dictionaries(
        {},
        optional={
            "order_number": json_values | st.from_regex(r"[A-Za-z0-9_-]{0,102}", fullmatch=True),
            "product_id": json_values | ints,
            "items": json_values
            | st.lists(
                st.fixed_dictionaries(
                    {}, optional={"item_id": json_values | ints, "quantity": json_values | ints}
                ),
                max_size=22,
            ),
        },
    ),
}
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check_never_a_server_error(target: Target, resp: httpx.Response) -> None:
    if resp.status_code in SUCCESS[target.path]:
        parse_json(resp)
        return
    assert resp.status_code < 500, describe(resp)
    assert_client_error(resp)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_random_json_is_never_a_server_error(
    client: httpx.Client, target: Target, data: st.DataObject
) -> None:
    value = data.draw(json_values | SHAPED[target.path], label="body")
    content = json.dumps(value).encode()
    _check_never_a_server_error(target, target.post(client, content))


@PROPERTY_SETTINGS
@given(content=st.binary(max_size=200))
def test_random_bytes_are_never_a_server_error(
    client: httpx.Client, target: Target, content: bytes
) -> None:
    _check_never_a_server_error(target, target.post(client, content))
