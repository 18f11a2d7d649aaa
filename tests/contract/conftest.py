"""Every app as a real server (gunicorn / uvicorn behind Nginx) on its own real PostgreSQL."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from infra.appservers import APPS, app_env
from infra.database import recreate_database, truncate_tables
from infra.ports import free_port
from infra.postgres import EmbeddedPostgres
from infra.seed import SeedOptions, seed
from infra.settings import Settings
from infra.stack import Stack, StackSettings

# Small and cheap: registering and logging in stay fast with few PBKDF2 rounds.
TEST_HASH_ITERATIONS = 1000
TEST_SEED = SeedOptions(
    products=30,
    hidden_products=3,
    unpriced_products=2,
    users=10,
    hash_iterations=TEST_HASH_ITERATIONS,
)

# What the apps on the `isolated` server hash new passwords with: far above the seed's.
SLOW_HASH_ITERATIONS = 100_000

# Statements that are connection set-up or bookkeeping, not an endpoint's own work.
_NOT_ENDPOINT_SQL = r"(pg_catalog|pg_type|pg_stat_statements|current_schema|version\(\))"


@dataclass(frozen=True)
class AppUnderTest:
    """One running app: through Nginx (`base_url`) and direct (`direct_url`)."""

    name: str
    base_url: str
    direct_url: str
    database_url: str
    server_log: Path


@pytest.fixture(scope="session")
def secret_key() -> str:
    return secrets.token_urlsafe(48)


def start_app_stack(
    name: str,
    *,
    database_url: str,
    secret_key: str,
    run_dir: Path,
    hash_iterations: int = TEST_HASH_ITERATIONS,
) -> Stack:
    """A stack (not started) for `name` on an existing database: schema, small seed, app, Nginx."""
    app_settings = Settings.from_env(
        {"PASSWORD_HASH_ITERATIONS": str(hash_iterations), "APP_SECRET_KEY": secret_key}
    )
    settings = StackSettings(
        app=name,
        nginx_port=free_port(),
        app_port=free_port(),
        run_dir=run_dir,
        database_url=database_url,
        seed=TEST_SEED,
        # Each app as the benchmark serves it by default (workers, gunicorn class, threads).
        app_env=app_env(app_settings, name),
    )
    return Stack(settings)


@pytest.fixture(scope="session")
def apps(
    pg_admin_url: str, secret_key: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, AppUnderTest]]:
    """Every app running, each on its own freshly created and seeded database."""
    with contextlib.ExitStack() as stacks:
        running: dict[str, AppUnderTest] = {}
        for name in APPS:
            url = recreate_database(pg_admin_url, f"contract_{name}")
            stack = stacks.enter_context(
                start_app_stack(
                    name,
                    database_url=url,
                    secret_key=secret_key,
                    run_dir=tmp_path_factory.mktemp(f"run-{name}"),
                )
            )
            assert stack.app_proc is not None
            running[name] = AppUnderTest(
                name, stack.base_url, stack.app_url, url, stack.app_proc.log_path
            )
        yield running


@dataclass(frozen=True)
class IsolatedApps:
    """Every app on a PostgreSQL server of their own, which tests may stop, freeze and start."""

    server: EmbeddedPostgres
    stacks: dict[str, Stack]


@pytest.fixture(scope="session")
def isolated(tmp_path_factory: pytest.TempPathFactory, secret_key: str) -> Iterator[IsolatedApps]:
    """Every app on its own database of a dedicated server, so an outage hits no other test.

    New passwords cost SLOW_HASH_ITERATIONS rounds while the seeded users' hashes keep
    TEST_HASH_ITERATIONS, as in a benchmark run (the seed hashes cheaply, the app does not).
    """
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg-isolated"), free_port())
    server.start()
    try:
        with contextlib.ExitStack() as stacks:
            running: dict[str, Stack] = {}
            for name in APPS:
                running[name] = stacks.enter_context(
                    start_app_stack(
                        name,
                        database_url=recreate_database(server.admin_url(), f"isolated_{name}"),
                        secret_key=secret_key,
                        run_dir=tmp_path_factory.mktemp(f"isolated-{name}"),
                        hash_iterations=SLOW_HASH_ITERATIONS,
                    )
                )
            yield IsolatedApps(server, running)
    finally:
        server.stop()


@pytest.fixture(params=APPS)
def app(request: pytest.FixtureRequest, apps: dict[str, AppUnderTest]) -> AppUnderTest:
    return apps[request.param]


@pytest.fixture
def client(app: AppUnderTest) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app.base_url, timeout=10) as c:
        yield c


@pytest.fixture
def db(app: AppUnderTest) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(app.database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def fresh_db() -> Callable[[AppUnderTest], None]:
    """Empty an app's tables and seed them again, for tests that need a known whole state."""

    def reset(target: AppUnderTest) -> None:
        truncate_tables(target.database_url)
        seed(target.database_url, TEST_SEED)

    return reset


class QueryCount:
    """Counts an app's data statements between enter and exit (pg_stat_statements)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.count = -1
        self.statements: list[tuple[str, int]] = []

    def __enter__(self) -> QueryCount:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_stat_statements_reset()")
        return self

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT s.query, s.calls::int FROM pg_stat_statements s"
                " JOIN pg_database d ON d.oid = s.dbid"
                " WHERE d.datname = current_database() AND s.query !~* %s",
                (_NOT_ENDPOINT_SQL,),
            ).fetchall()
        self.statements = [(str(q), int(str(c))) for q, c in rows]
        self.count = sum(c for _, c in self.statements)


@pytest.fixture
def query_counter() -> Callable[[AppUnderTest], QueryCount]:
    return lambda target: QueryCount(target.database_url)
