"""What Nginx answers by itself (requests that never reach the app) is JSON in the envelope too."""

from __future__ import annotations

import httpx
import pytest

from tests.contract.conftest import AppUnderTest


def _expect_json_error(resp: httpx.Response, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text[:200]
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json()["error"]["code"] == code


def test_request_line_too_long(app: AppUnderTest) -> None:
    resp = httpx.get(f"{app.base_url}/products?pad={'a' * 9000}", timeout=10)
    _expect_json_error(resp, 414, "validation_error")


def test_header_too_large(app: AppUnderTest) -> None:
    resp = httpx.get(f"{app.base_url}/products", headers={"X-Pad": "a" * 9000}, timeout=10)
    _expect_json_error(resp, 400, "validation_error")


ERROR_LOCATIONS = [
    "bad_request",
    "uri_too_long",
    "not_found",
    "payload_too_large",
    "internal_error",
    "unavailable",
]


@pytest.mark.parametrize("name", ERROR_LOCATIONS)
def test_internal_error_locations_are_not_reachable(app: AppUnderTest, name: str) -> None:
    resp = httpx.get(f"{app.base_url}/__errors/{name}", timeout=10)
    _expect_json_error(resp, 404, "not_found")
