"""The seeded benchmark users, as both the seed (infra/seed.py) and the load (loadtest/) see them.

Standard library only: every Locust process imports it.
"""

from __future__ import annotations

BENCH_PASSWORD = "bench-password"  # noqa: S105 - a published fixture, not a secret


def bench_email(number: int) -> str:
    """The email of seeded user `number` (1-based)."""
    return f"bench-{number}@example.com"
