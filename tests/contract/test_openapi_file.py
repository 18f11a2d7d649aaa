"""GET /openapi.json serves docs/openapi.json byte for byte, as JSON; other methods are 405."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pytest

from infra.appservers import REPO
from tests.contract._factory import AppServer, describe, expect_error, media_type

# The apps that serve the file so far; the defaults join when their route lands.
SERVING = ["floor", "django-tuned", "fastapi-tuned"]


@pytest.mark.parametrize("name", SERVING)
@pytest.mark.parametrize("via", ["base_url", "direct_url"])
def test_openapi_json_is_the_document_in_docs(
    apps: Mapping[str, AppServer], name: str, via: str
) -> None:
    resp = httpx.get(f"{getattr(apps[name], via)}/openapi.json", timeout=10)
    assert resp.status_code == 200, describe(resp)
    assert media_type(resp) == "application/json", describe(resp)
    assert resp.content == (REPO / "docs" / "openapi.json").read_bytes()


@pytest.mark.parametrize("name", SERVING)
def test_openapi_json_allows_only_get(apps: Mapping[str, AppServer], name: str) -> None:
    resp = httpx.post(f"{apps[name].direct_url}/openapi.json", json={}, timeout=10)
    expect_error(resp, 405, "method_not_allowed")
    assert resp.headers.get("allow") == "GET", describe(resp)
