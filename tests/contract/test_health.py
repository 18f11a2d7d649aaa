"""GET /health: a database round trip, naming the framework that answered."""

from __future__ import annotations

import httpx
import pytest

from infra.appservers import APP_SPECS
from tests.contract._factory import AppServer, expect, url_of


@pytest.mark.parametrize("via", ["nginx", "direct"])
def test_health_names_the_framework(app: AppServer, via: str) -> None:
    with httpx.Client(base_url=url_of(app, via), timeout=10) as client:
        body = expect(client.get("/health"), 200)
    assert body == {"status": "ok", "framework": APP_SPECS[app.name].framework}


def test_health_ignores_query_strings(client: httpx.Client, app: AppServer) -> None:
    assert (
        expect(client.get("/health", params={"x": "1"}), 200)["framework"]
        == APP_SPECS[app.name].framework
    )
