"""`python -m scripts.seed`: bad input and an unreachable database give one line, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.ports import free_port

REPO = Path(__file__).resolve().parents[2]


def _seed(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.seed", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_unreachable_database_is_one_line() -> None:
    result = _seed(f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: connection failed")


@pytest.mark.parametrize(
    "args",
    [
        ["mysql://x/y"],
        ["postgresql://x/y", "--products", "-1"],
        ["postgresql://x/y", "--min-items", "x"],
    ],
)
def test_bad_arguments_exit_2(args: list[str]) -> None:
    result = _seed(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_seeds_a_database(pg_admin_url: str) -> None:
    from infra.database import recreate_database

    url = recreate_database(pg_admin_url, "seed_cli")
    result = _seed(url, "--products", "12", "--users", "3")
    assert result.returncode == 0, result.stderr
    assert "'products': 17" in result.stderr and "'users': 3" in result.stderr
