"""The environment for a stack started by a test: free loopback ports, a private data dir."""

from __future__ import annotations

import os
from pathlib import Path

from infra.ports import free_port

REPO = Path(__file__).resolve().parents[2]


def isolated_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """os.environ plus ports nobody else uses and `settings` (make variables)."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NGINX_PORT": str(free_port()),
        "APP_PORT": str(free_port()),
        "PG_PORT": str(free_port()),
        "PG_DATA_DIR": str(tmp_path / "pgdata"),
        **settings,
    }
