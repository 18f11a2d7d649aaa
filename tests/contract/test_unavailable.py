"""A database that goes away or freezes gives a prompt 503 `unavailable`, and the app recovers.

The apps run on the `isolated` PostgreSQL server, so stopping or freezing it touches no other
test's database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress

import httpx
import psutil

from infra.appservers import APP_SPECS
from infra.postgres import EmbeddedPostgres
from infra.stack import Stack
from tests.contract.conftest import IsolatedApps

# Generous bound for "promptly": the apps' connect timeout is 2 s; a hang would be 30 s+.
PROMPT_SECONDS = 10.0
# The apps wait at most statement_timeout (5 s) + 1 s for one answer (docs/DECISIONS.md);
# without that bound a frozen server holds the request until gunicorn kills its worker
# (30 s) or Nginx gives up on the upstream (30 s).
FROZEN_SECONDS = 20.0
RECOVERY_SECONDS = 30.0
PATHS = ("/health", "/products", "/products/1")


def _get(url: str) -> tuple[int, dict[str, object], float]:
    started = time.monotonic()
    resp = httpx.get(url, timeout=60)
    return resp.status_code, resp.json(), time.monotonic() - started


def _warm(stacks: dict[str, Stack]) -> None:
    # Persistent connections and pools in use, so the outage breaks live connections too.
    for stack in stacks.values():
        for _ in range(6):
            assert _get(f"{stack.base_url}/products")[0] == 200


def _urls(stacks: dict[str, Stack], path: str) -> dict[tuple[str, str], str]:
    return {
        (name, via): f"{base}{path}"
        for name, stack in stacks.items()
        for via, base in (("nginx", stack.base_url), ("direct", stack.app_url))
    }


def _assert_recovers(stacks: dict[str, Stack]) -> None:
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


@contextmanager
def _frozen(server: EmbeddedPostgres) -> Iterator[None]:
    """The whole server (postmaster and every backend) stopped with SIGSTOP, always resumed."""
    assert server.process is not None
    procs = server.process.tree()
    assert len(procs) > 1, "expected the postmaster and its backends"
    try:
        for proc in procs:
            proc.suspend()
        yield
    finally:
        for proc in procs:
            with suppress(psutil.NoSuchProcess):
                proc.resume()


def test_database_down_then_back(isolated: IsolatedApps) -> None:
    _warm(isolated.stacks)
    isolated.server.stop()
    try:
        for path in PATHS:
            for (name, via), url in _urls(isolated.stacks, path).items():
                status, body, took = _get(url)
                assert status == 503, (name, via, path, status, body)
                assert body["error"]["code"] == "unavailable"  # type: ignore[index]
                assert took < PROMPT_SECONDS, (name, via, path, took)
        for name, stack in isolated.stacks.items():
            assert stack.app_proc is not None and stack.app_proc.alive(), name
    finally:
        isolated.server.start()
    _assert_recovers(isolated.stacks)


def test_frozen_database_gets_a_prompt_503(isolated: IsolatedApps) -> None:
    _warm(isolated.stacks)
    urls = _urls(isolated.stacks, "/products")
    with _frozen(isolated.server), ThreadPoolExecutor(max_workers=len(urls)) as pool:
        # All at once: each waits out the apps' bound, in parallel rather than in turn.
        answers = dict(zip(urls, pool.map(_get, urls.values()), strict=True))
    for (name, via), (status, body, took) in answers.items():
        assert status == 503, (name, via, status, body)
        assert body["error"]["code"] == "unavailable"  # type: ignore[index]
        assert took < FROZEN_SECONDS, (name, via, took)
    _assert_recovers(isolated.stacks)
