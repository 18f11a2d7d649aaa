"""A database that goes away gives a prompt 503 `unavailable`, and the app recovers by itself."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from infra.appservers import APP_SPECS, APPS
from infra.database import recreate_database
from infra.ports import free_port
from infra.postgres import EmbeddedPostgres
from infra.stack import Stack
from tests.contract.conftest import start_app_stack

# Generous bound for "promptly": the apps' connect timeout is 2 s; a hang would be 30 s+.
PROMPT_SECONDS = 10.0
RECOVERY_SECONDS = 30.0


@pytest.fixture(scope="module")
def outage(
    tmp_path_factory: pytest.TempPathFactory, secret_key: str
) -> Iterator[tuple[EmbeddedPostgres, dict[str, Stack]]]:
    """Every app on a PostgreSQL of their own that the test can stop and start again."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg-outage"), free_port())
    server.start()
    stacks: dict[str, Stack] = {}
    try:
        for name in APPS:
            url = recreate_database(server.admin_url(), f"outage_{name}")
            stack = start_app_stack(
                name,
                database_url=url,
                secret_key=secret_key,
                run_dir=tmp_path_factory.mktemp(f"outage-{name}"),
            )
            stack.start()
            stacks[name] = stack
        yield server, stacks
    finally:
        for stack in stacks.values():
            stack.stop()
        server.stop()


def _get(url: str) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    resp = httpx.get(url, timeout=60)
    return resp.status_code, resp.json(), time.monotonic() - started


def test_database_down_then_back(outage: tuple[EmbeddedPostgres, dict[str, Stack]]) -> None:
    server, stacks = outage
    for stack in stacks.values():
        # Warm persistent connections / pools so the outage breaks live connections too.
        for _ in range(5):
            assert _get(f"{stack.base_url}/products")[0] == 200

    server.stop()
    try:
        for name, stack in stacks.items():
            for path in ("/health", "/products", "/products/1"):
                for base in (stack.base_url, stack.app_url):
                    status, body, took = _get(f"{base}{path}")
                    assert status == 503, (name, path, status, body)
                    assert body["error"]["code"] == "unavailable"  # type: ignore[index]
                    assert took < PROMPT_SECONDS, (name, path, took)
            assert stack.app_proc is not None and stack.app_proc.alive()
    finally:
        server.start()

    for name, stack in stacks.items():
        deadline = time.monotonic() + RECOVERY_SECONDS
        statuses: list[int] = []
        while time.monotonic() < deadline:
            statuses = [_get(f"{stack.base_url}/products")[0] for _ in range(6)]
            if statuses == [200] * 6:
                break
            time.sleep(0.5)
        assert statuses == [200] * 6, (name, statuses)
        status, body, _ = _get(f"{stack.base_url}/health")
        assert (status, body) == (200, {"status": "ok", "framework": APP_SPECS[name].framework})
