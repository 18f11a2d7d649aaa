"""Schemathesis against every app through Nginx: the document and the apps must agree.

Each app gets a stack of its own on a PostgreSQL of its own: the runs register users, place
orders and sell stock out, and the outage test stops the database, so the contract suite's
databases never see any of it. What schemathesis cannot reach (a body over the limit, a
database outage) is sent by hand and validated against the same document.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.appservers import APPS, REPO, app_env
from infra.database import recreate_database
from infra.fixtures import BENCH_PASSWORD, bench_email
from infra.ports import free_port
from infra.postgres import EmbeddedPostgres
from infra.seed import SeedOptions
from infra.settings import Settings
from infra.stack import Stack, StackSettings
from tests.contract._openapi import DOCUMENT, Operation, assert_documented, operations
from tests.contract.conftest import TEST_HASH_ITERATIONS

CONFIG = REPO / "schemathesis.toml"
# Fixed, so a run is reproducible; changing it is fine as long as every status is still reached.
ST_SEED = 20261206
ST_MAX_EXAMPLES = 60
ST_TIMEOUT_SECONDS = 600
# One unit of stock per item: the document's example order (product 1, item 1) takes it in the
# examples phase (201), so the stateful phase's orders of that item are 409 out_of_stock.
# With this seed product 1 and its item 1 are on sale (checked by the fixture).
FUZZ_SEED = SeedOptions(
    products=12,
    hidden_products=2,
    unpriced_products=2,
    users=3,
    stock=1,
    hash_iterations=TEST_HASH_ITERATIONS,
    seed=1,
)
# Statuses that no generated request can cause: checked by the tests after the run.
NOT_GENERATED = {"413", "503"}
BODY_LIMIT = 65536


@dataclass(frozen=True)
class FuzzTarget:
    name: str
    stack: Stack
    token: str


@pytest.fixture(scope="module")
def fuzz_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL for the schemathesis stacks only; the outage test stops and restarts it."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg-openapi"), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=APPS)
def target(
    request: pytest.FixtureRequest,
    fuzz_postgres: EmbeddedPostgres,
    secret_key: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FuzzTarget]:
    """One app behind Nginx on a fresh database, and a token of a seeded user, logged in."""
    name: str = request.param
    url = recreate_database(fuzz_postgres.admin_url(), f"openapi_{name.replace('-', '_')}")
    app_settings = Settings.from_env(
        {"PASSWORD_HASH_ITERATIONS": str(TEST_HASH_ITERATIONS), "APP_SECRET_KEY": secret_key}
    )
    settings = StackSettings(
        app=name,
        nginx_port=free_port(),
        app_port=free_port(),
        run_dir=tmp_path_factory.mktemp(f"openapi-{name}"),
        database_url=url,
        seed=FUZZ_SEED,
        app_env=app_env(app_settings, name),
    )
    with Stack(settings) as stack:
        first = httpx.get(f"{stack.base_url}/products?limit=1", timeout=10).json()
        assert first[0]["pk"] == 1 and first[0]["is_active"], f"product 1 is not on sale: {first}"
        credentials = {"email": bench_email(1), "password": BENCH_PASSWORD}
        resp = httpx.post(f"{stack.base_url}/auth/login", json=credentials, timeout=10)
        assert resp.status_code == 200, resp.text
        yield FuzzTarget(name, stack, resp.json()["token"])


def _run_schemathesis(target: FuzzTarget, workdir: Path) -> tuple[int, str, Path]:
    """`st run` as the README shows it, plus a seed, a bound and a HAR file of every exchange."""
    har = workdir / "exchanges.har.json"
    argv = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(CONFIG),
        "run",
        # The file rather than the URL: loaded from a URL, schemathesis leaves out the
        # document's own operation. test_openapi.py proves the app serves these very bytes.
        str(DOCUMENT),
        "--url",
        target.stack.base_url,
        "--header",
        f"Authorization: Bearer {target.token}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        str(ST_SEED),
        "--max-examples",
        str(ST_MAX_EXAMPLES),
        # One worker and no example database: the same requests in the same order every run.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "har",
        "--report-har-path",
        str(har),
    ]
    # The working directory takes schemathesis's own cache, away from the repository.
    done = subprocess.run(
        argv,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=ST_TIMEOUT_SECONDS,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr, har


def _reached(har: Path) -> dict[tuple[str, str], set[str]]:
    """(method, path template) -> statuses answered, with the error code for 409s."""
    reached: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    ops = operations()
    for entry in json.loads(har.read_bytes())["log"]["entries"]:
        method = entry["request"]["method"]
        path = httpx.URL(entry["request"]["url"]).path
        status = str(entry["response"]["status"])
        if status == "405":
            # Any method other than the documented one: counted for the path's operation.
            template = next((op.path for op in ops if op.matches(op.method, path)), path)
            reached[("*", template)].add(status)
            continue
        op = next((op for op in ops if op.matches(method, path)), None)
        if op is None:
            continue
        reached[(op.method, op.path)].add(status)
        if status == "409":
            text = entry["response"]["content"].get("text", "")
            reached[(op.method, op.path)].add(f"409 {json.loads(text)['error']['code']}")
    return reached


def test_schemathesis_finds_no_failure_and_reaches_every_status(
    target: FuzzTarget, tmp_path: Path
) -> None:
    returncode, output, har = _run_schemathesis(target, tmp_path)
    assert returncode == 0, f"schemathesis failed against {target.name}:\n{output[-12000:]}"
    reached = _reached(har)
    missing = []
    for op in operations():
        wanted = set(op.statuses) - NOT_GENERATED - {"405"}
        if op.path == "/orders" and op.method == "POST":
            wanted |= {"409 out_of_stock", "409 duplicate_order_number"}
        unreached = wanted - reached[(op.method, op.path)]
        missing += [f"{op.method} {op.path} {status}" for status in sorted(unreached)]
        if "405" in op.statuses and "405" not in reached[("*", op.path)]:
            missing.append(f"other methods on {op.path} 405")
    assert not missing, f"statuses schemathesis did not reach on {target.name}: {missing}"


def _valid_request(op: Operation, token: str) -> dict[str, Any]:
    """Keyword arguments of httpx.request for a request that reaches the operation's work."""
    headers = {"Authorization": f"Bearer {token}"} if op.protected else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if op.path == "/orders" and op.method == "POST":
        items = [{"item_id": 1, "quantity": 1}]
        kwargs["json"] = {"order_number": "outage-1", "product_id": 1, "items": items}
    elif op.method == "POST":
        kwargs["json"] = {"email": "outage@example.com", "password": BENCH_PASSWORD}
    return kwargs


def test_oversized_bodies_are_answered_as_documented(target: FuzzTarget) -> None:
    posts = [op for op in operations() if op.method == "POST"]
    assert posts and all("413" in op.statuses for op in posts)
    with httpx.Client(base_url=target.stack.base_url, timeout=10) as client:
        for op in posts:
            kwargs = _valid_request(op, target.token)
            kwargs.pop("json", None)
            kwargs["headers"]["Content-Type"] = "application/json"
            resp = client.post(op.path, content=b" " * (BODY_LIMIT + 1), **kwargs)
            assert resp.status_code == 413, (op, resp.text)
            assert_documented(op, resp)


def test_database_outage_is_answered_as_documented(
    target: FuzzTarget, fuzz_postgres: EmbeddedPostgres
) -> None:
    ops = [op for op in operations() if op.path != "/openapi.json"]
    assert all("503" in op.statuses for op in ops)
    fuzz_postgres.stop()
    try:
        with httpx.Client(base_url=target.stack.base_url, timeout=30) as client:
            for op in ops:
                path = op.path.replace("{pk}", "1")
                resp = client.request(op.method, path, **_valid_request(op, target.token))
                assert resp.status_code == 503, (op, resp.text)
                assert_documented(op, resp)
            # The document needs no database.
            resp = client.get("/openapi.json")
            assert resp.status_code == 200 and resp.content == DOCUMENT.read_bytes()
    finally:
        fuzz_postgres.start()
