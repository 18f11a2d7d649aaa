"""A failed login takes as long for an unknown email as for a known one with a wrong password.

Otherwise the time taken tells which emails have accounts. The apps on the `isolated` server
hash with far more rounds than the seeded users' hashes carry, as in a benchmark run: an
unknown email is hashed with the configured rounds, so a wrong password must cost them too.
Compared as a ratio of medians over interleaved tries, never as an absolute time.
"""

from __future__ import annotations

import statistics
import time

import httpx
import psycopg
import pytest

from infra.appservers import APPS
from tests.contract.conftest import SLOW_HASH_ITERATIONS, IsolatedApps

TRIES = 15
# The two medians must be within this factor of each other. Without padding the wrong
# password costs ~1 % of the unknown email's hashing, far outside it.
MAX_RATIO = 3.0
SEEDED_EMAIL = "bench-1@example.com"


def _login_seconds(client: httpx.Client, email: str) -> float:
    started = time.perf_counter()
    resp = client.post("/auth/login", json={"email": email, "password": "not-the-password"})
    took = time.perf_counter() - started
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"]["code"] == "invalid_credentials"
    return took


@pytest.mark.parametrize("name", APPS)
def test_unknown_email_costs_what_a_wrong_password_costs(isolated: IsolatedApps, name: str) -> None:
    stack = isolated.stacks[name]
    with psycopg.connect(stack.database_url) as conn:
        row = conn.execute(
            "SELECT password FROM tb_auth_user WHERE email = %s", (SEEDED_EMAIL,)
        ).fetchone()
    assert row is not None
    stored_rounds = int(str(row[0]).split("$")[1])
    assert stored_rounds * 10 <= SLOW_HASH_ITERATIONS, "the test needs a cheap stored hash"

    known: list[float] = []
    unknown: list[float] = []
    with httpx.Client(base_url=stack.app_url, timeout=30) as client:
        _login_seconds(client, SEEDED_EMAIL)  # warm up connections and code paths
        _login_seconds(client, "nobody-warm-up@example.com")
        for n in range(TRIES):
            # Alternate which goes first, so drift on a busy machine hits both alike.
            pair = [(known, SEEDED_EMAIL), (unknown, f"nobody-{n}@example.com")]
            for samples, email in pair if n % 2 else reversed(pair):
                samples.append(_login_seconds(client, email))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 1 / MAX_RATIO < ratio < MAX_RATIO, (
        f"median unknown {statistics.median(unknown) * 1000:.1f} ms, "
        f"median wrong password {statistics.median(known) * 1000:.1f} ms"
    )
