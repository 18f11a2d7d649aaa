"""Routing, methods, media types and body size: 404, 405, 415 and 413, through Nginx and direct.

Every response is JSON in the error envelope, whichever layer produced it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.contract._factory import (
    BODY_LIMIT,
    MAX_BIGINT,
    AppServer,
    Db,
    bearer,
    describe,
    expect,
    expect_error,
    make_shop,
    media_type,
    order_body,
    raw_exchange,
    register,
    unique_email,
    url_of,
)

VIA = ["nginx", "direct"]


@pytest.fixture(params=VIA)
def http(request: pytest.FixtureRequest, app: AppServer) -> Iterator[httpx.Client]:
    """A client for one app, through Nginx or straight to the app server."""
    with httpx.Client(base_url=url_of(app, request.param), timeout=10) as client:
        yield client


def test_every_endpoint_answers_json(http: httpx.Client, db: Db) -> None:
    # `expect` fails unless the body is application/json, so this covers the success paths.
    shop = make_shop(db, items=1)
    expect(http.get("/health"), 200)
    expect(http.get("/products"), 200)
    expect(http.get(f"/products/{shop.product_id}"), 200)
    email = unique_email()
    expect(http.post("/auth/register", json={"email": email, "password": "long-enough"}), 201)
    token = expect(http.post("/auth/login", json={"email": email, "password": "long-enough"}), 200)[
        "token"
    ]
    body = order_body(shop.product_id, {shop.item_ids[0]: 1})
    order = expect(http.post("/orders", json=body, headers=bearer(token)), 201)
    expect(http.post("/orders", json=body, headers=bearer(token)), 200)
    expect(http.get(f"/orders/{order['pk']}", headers=bearer(token)), 200)


# --- 404 -------------------------------------------------------------------------------

UNKNOWN_PATHS = [
    "/",
    "/nope",
    "/product",
    "/Products",
    "/HEALTH",
    "/products/1/items",
    "/auth",
    "/auth/",
    "/auth/logout",
    "/orders/1/items",
    "/health/",
    "/products/",
    "/products/1/",
    "/orders/",
    "/orders/1/",
    "/auth/login/",
    "/auth/register/",
    "/docs",
    "/redoc",
    "/openapi.json/",
    "/openapi.yaml",
    "/admin/",
    "/static/app.css",
    "/favicon.ico",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_path_is_not_found(http: httpx.Client, path: str) -> None:
    expect_error(http.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["/nope", "/auth/login/", "/orders/", "/auth"])
def test_post_to_unknown_path_is_not_found(http: httpx.Client, path: str) -> None:
    expect_error(http.post(path, json={}), 404, "not_found")


BAD_IDS = [
    "0",
    "007",
    "-1",
    "+1",
    "abc",
    "1.0",
    "1e3",
    "1_0",
    "0x1",
    "%201",
    "1%20",
    "%EF%BC%91",  # fullwidth digit one
    "9223372036854775808",
    "99999999999999999999",
    str(MAX_BIGINT),  # well formed, but no such product
]


@pytest.mark.parametrize("pk", BAD_IDS)
def test_bad_product_id_is_not_found(http: httpx.Client, pk: str) -> None:
    expect_error(http.get(f"/products/{pk}"), 404, "not_found")


# --- 405 -------------------------------------------------------------------------------

ROUTES = {
    "/health": "GET",
    "/openapi.json": "GET",
    "/products": "GET",
    "/products/1": "GET",
    "/orders/1": "GET",
    "/auth/register": "POST",
    "/auth/login": "POST",
    "/orders": "POST",
}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
WRONG = [
    (path, method) for path, allowed in ROUTES.items() for method in METHODS if method != allowed
]


@pytest.mark.parametrize(("path", "method"), WRONG)
def test_wrong_method_is_not_allowed(http: httpx.Client, path: str, method: str) -> None:
    resp = http.request(method, path)
    if method == "HEAD":
        assert resp.status_code == 405, describe(resp)
        assert media_type(resp) == "application/json", describe(resp)
    else:
        expect_error(resp, 405, "method_not_allowed")
    allow = {m.strip() for m in resp.headers.get("allow", "").split(",") if m.strip()}
    assert allow == {ROUTES[path]}, describe(resp)


def test_wrong_method_with_a_body_is_still_not_allowed(http: httpx.Client) -> None:
    resp = http.put("/auth/login", content=b"not json", headers={"Content-Type": "text/plain"})
    expect_error(resp, 405, "method_not_allowed")


# --- 415 -------------------------------------------------------------------------------

REJECTED_TYPES = [
    None,
    "text/plain",
    "text/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/jsonx",
    "application/json-patch+json",
    "application/vnd.api+json",
    "",
]
ACCEPTED_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
]


def _json_post_targets(client: httpx.Client) -> dict[str, dict[str, str]]:
    """Each POST endpoint with the headers it needs other than Content-Type."""
    _, token, _ = register(client)
    return {"/auth/register": {}, "/auth/login": {}, "/orders": bearer(token)}


@pytest.mark.parametrize("content_type", REJECTED_TYPES)
def test_non_json_content_type_is_unsupported(http: httpx.Client, content_type: str | None) -> None:
    body = b'{"email": "%s", "password": "long-enough"}' % unique_email().encode()
    for path, headers in _json_post_targets(http).items():
        sent = dict(headers)
        if content_type is not None:
            sent["Content-Type"] = content_type
        expect_error(http.post(path, content=body, headers=sent), 415, "unsupported_media_type")


def test_unsupported_media_type_without_a_body(http: httpx.Client) -> None:
    for path, headers in _json_post_targets(http).items():
        expect_error(http.post(path, headers=headers), 415, "unsupported_media_type")


@pytest.mark.parametrize("content_type", ACCEPTED_TYPES)
def test_json_content_type_with_parameters_is_accepted(
    http: httpx.Client, content_type: str
) -> None:
    body = b'{"email": "%s", "password": "long-enough"}' % unique_email().encode()
    resp = http.post("/auth/login", content=body, headers={"Content-Type": content_type})
    expect_error(resp, 401, "invalid_credentials")


# --- 413 -------------------------------------------------------------------------------


def _padded_login(size: int) -> bytes:
    """A well-formed login body of exactly `size` bytes (trailing whitespace is valid JSON)."""
    body = b'{"email": "%s", "password": "long-enough"}' % unique_email().encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


def _chunks(data: bytes, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


JSON_HEADERS = {"Content-Type": "application/json"}


def test_body_at_the_limit_is_read(http: httpx.Client) -> None:
    resp = http.post("/auth/login", content=_padded_login(BODY_LIMIT), headers=JSON_HEADERS)
    expect_error(resp, 401, "invalid_credentials")


@pytest.mark.parametrize("size", [BODY_LIMIT + 1, 4 * BODY_LIMIT])
def test_body_over_the_limit_is_too_large(http: httpx.Client, size: int) -> None:
    for path in ("/auth/register", "/auth/login"):
        resp = http.post(path, content=_padded_login(size), headers=JSON_HEADERS)
        expect_error(resp, 413, "payload_too_large")


def test_order_body_over_the_limit_is_too_large(http: httpx.Client) -> None:
    _, token, _ = register(http)
    body = b'{"order_number": "x", "product_id": 1, "items": []}'
    body += b" " * (BODY_LIMIT + 1 - len(body))
    resp = http.post("/orders", content=body, headers={**JSON_HEADERS, **bearer(token)})
    expect_error(resp, 413, "payload_too_large")


def test_small_chunked_body_is_read(http: httpx.Client) -> None:
    resp = http.post("/auth/login", content=_chunks(_padded_login(10_000)), headers=JSON_HEADERS)
    assert "content-length" not in resp.request.headers
    expect_error(resp, 401, "invalid_credentials")


@pytest.mark.parametrize("size", [BODY_LIMIT + 1, 4 * BODY_LIMIT])
def test_chunked_body_over_the_limit_is_too_large(http: httpx.Client, size: int) -> None:
    resp = http.post("/auth/login", content=_chunks(_padded_login(size)), headers=JSON_HEADERS)
    expect_error(resp, 413, "payload_too_large")


@pytest.mark.parametrize("via", VIA)
def test_declared_length_is_refused_before_reading(app: AppServer, via: str) -> None:
    # One gigabyte announced, nothing sent: only an up-front check can answer.
    request = (
        b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1073741824\r\nConnection: close\r\n\r\n"
    )
    resp = raw_exchange(url_of(app, via), request)
    assert resp.status == 413, resp
    assert resp.headers.get("content-type", "").startswith("application/json"), resp
    assert b'"payload_too_large"' in resp.body, resp


@pytest.mark.parametrize("via", VIA)
def test_endless_chunked_body_is_cut_off_at_the_limit(app: AppServer, via: str) -> None:
    # More than the limit in chunks and no final chunk: counting while reading must answer.
    chunk = b"%x\r\n%s\r\n" % (BODY_LIMIT + 1, b" " * (BODY_LIMIT + 1))
    request = (
        b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk
    )
    resp = raw_exchange(url_of(app, via), request)
    assert resp.status == 413, resp
    assert b'"payload_too_large"' in resp.body, resp
