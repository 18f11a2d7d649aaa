"""A web UI session's recording becomes a run folder; UI_PORT is checked before anything starts."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from infra.ports import PortInUseError, free_port
from infra.settings import Settings
from infra.settings.kinds import ConfigError
from scripts.harness.meta import load_meta
from scripts.harness.results import is_complete
from scripts.harness.ui import check_ui_port, finish_ui_run, first_test
from tests.harness._factory import INVARIANTS_OK, two_step_run


def _as_manual(run_dir: Path, *, then: list[dict[str, object]]) -> None:
    """Rewrite the journal as loadtest/manual.py writes it, followed by `then`."""
    journal = run_dir / "raw" / "steps.jsonl"
    steps = [json.loads(line) for line in journal.read_text().splitlines()]
    manual = [{**s, "spawn_rate": 10.0, "shape": "manual"} for s in steps]
    journal.write_text("".join(json.dumps(s) + "\n" for s in [*manual, *then]))


def test_a_manual_session_becomes_a_complete_run_of_its_first_test(tmp_path: Path) -> None:
    run_dir = two_step_run(tmp_path, invariants=INVARIANTS_OK)
    second_test: dict[str, object] = {"index": 0, "users": 99, "start": 2000.0, "end": 2010.0}
    _as_manual(run_dir, then=[second_test])

    assert finish_ui_run(run_dir) is True

    assert is_complete(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert [s["users"] for s in summary["steps"]] == [10, 20]
    assert summary["steps"][0]["requests"] == 100  # the same steady window as a benchmark's
    assert summary["complete"] is True and summary["invariants"]["ok"] is True
    meta = load_meta(run_dir)
    assert meta["ui"] == {"shape": "manual", "spawn_rates": [10.0, 10.0]}
    assert (meta["ramp"], meta["spawn_rate"], meta["step_seconds"]) == ([10, 20], 10.0, 30.0)
    text = (run_dir / "summary.md").read_text()
    assert (
        "Web UI run with user counts set by hand: 10 users for 30 s, 20 users for 30 s "
        "(spawn rate 10/s)." in text
    )
    assert "s per step" not in text


def test_a_stepped_session_keeps_the_benchmark_summary(tmp_path: Path) -> None:
    run_dir = two_step_run(tmp_path, invariants=INVARIANTS_OK)

    assert finish_ui_run(run_dir) is True

    assert load_meta(run_dir)["ui"] == {"shape": "SteppedRamp"}
    assert "ramp 10 20 users, 30 s per step" in (run_dir / "summary.md").read_text()


def test_a_session_without_a_test_has_nothing_to_summarize(tmp_path: Path) -> None:
    run_dir = two_step_run(tmp_path, invariants=INVARIANTS_OK)
    (run_dir / "raw" / "steps.jsonl").unlink()

    assert finish_ui_run(run_dir) is False
    assert not is_complete(run_dir) and not (run_dir / "summary.json").exists()


def test_first_test_stops_where_the_indices_start_again(tmp_path: Path) -> None:
    journal = tmp_path / "steps.jsonl"
    assert first_test(journal) == []
    journal.write_text('{"index": 0}\n{"index": 1}\n\n{"index": 0}\n{"index": 1}\n')
    assert first_test(journal) == [{"index": 0}, {"index": 1}]


def test_ui_port_must_not_be_a_stack_port() -> None:
    with pytest.raises(ConfigError, match=r"^UI_PORT=8000 is also NGINX_PORT; choose another"):
        check_ui_port(Settings.from_env({"UI_PORT": "8000"}))


def test_a_taken_ui_port_is_named() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            PortInUseError, match=rf"^port {port} on 127.0.0.1 \(Locust web UI, UI_PORT\)"
        ):
            check_ui_port(Settings.from_env({"UI_PORT": str(port)}))
    check_ui_port(Settings.from_env({"UI_PORT": str(free_port())}))
