"""The load generator's ledger: a run is refused when a request is missing from its samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.loadgen import check_ledger, loadgen_notes
from scripts.harness.summary import Summary


def worker(
    index: int, *, sent: int, written: int, final: bool = True, **extra: Any
) -> dict[str, Any]:
    return {
        "name": f"worker-{index}",
        "host": f"load-{index}",
        "rows_sent": sent,
        "rows_written": written,
        "final": final,
        "missing_batches": 0,
        "bad_batches": 0,
        "clock_offset_s": 0.002 * (index + 1),
        **extra,
    }


def write(raw: Path, *sources: dict[str, Any], locust: int, expected: int | None = 2) -> None:
    manifest = {
        "mode": "distributed",
        "workers_expected": expected,
        "locust_requests": locust,
        "rows_written": sum(s["rows_written"] for s in sources),
        "sources": list(sources),
    }
    (raw / "loadgen.json").write_text(json.dumps(manifest))


def test_a_balanced_ledger_is_summarised(tmp_path: Path) -> None:
    write(tmp_path, worker(0, sent=10, written=10), worker(1, sent=5, written=5), locust=15)
    assert check_ledger(tmp_path, rows_in_files=15, required=True) == {
        "mode": "distributed",
        "workers": 2,
        "rows": 15,
        "locust_requests": 15,
        "max_clock_offset_s": 0.004,
    }


@pytest.mark.parametrize(
    ("sources", "locust", "files", "problem"),
    [
        # One worker's batch never arrived: the master wrote fewer rows than the worker sent.
        (
            [worker(0, sent=10, written=10), worker(1, sent=5, written=3, missing_batches=1)],
            15,
            13,
            "worker-1 (load-1) sent 5 rows, 3 arrived; worker-1 (load-1): 1 batches lost; "
            "Locust counted 15 requests, the ledger 13 rows",
        ),
        (
            [worker(0, sent=10, written=10), worker(1, sent=4, written=4, final=False)],
            15,
            14,
            "worker-1 (load-1) never sent its final rows; Locust counted 15 requests",
        ),
        ([worker(0, sent=10, written=10)], 10, 10, "only 1 of 2 workers sent samples"),
        (
            [worker(0, sent=10, written=10), worker(1, sent=5, written=5)],
            15,
            14,
            "the samples files hold 14 rows, the ledger 15",
        ),
        (
            [worker(0, sent=10, written=10), worker(1, sent=5, written=5, bad_batches=2)],
            15,
            15,
            "worker-1 (load-1): 2 malformed batches",
        ),
    ],
)
def test_a_ledger_that_does_not_add_up_refuses_the_run(
    tmp_path: Path, sources: list[dict[str, Any]], locust: int, files: int, problem: str
) -> None:
    write(tmp_path, *sources, locust=locust)
    with pytest.raises(HarnessError, match="samples missing: ") as caught:
        check_ledger(tmp_path, rows_in_files=files, required=True)
    assert problem in str(caught.value)


def test_a_missing_ledger_is_an_error_only_for_runs_that_should_have_one(tmp_path: Path) -> None:
    assert check_ledger(tmp_path, rows_in_files=3, required=False) is None
    with pytest.raises(HarnessError, match=r"loadgen\.json: missing"):
        check_ledger(tmp_path, rows_in_files=3, required=True)
    (tmp_path / "loadgen.json").write_text('{"sources": 3}')
    with pytest.raises(HarnessError, match="not a load generator ledger"):
        check_ledger(tmp_path, rows_in_files=3, required=True)


def summary(**fields: Any) -> Summary:
    measured = {"app_rss_mb": 1.0, "db_cpu_pct": 1.0, "nginx_cpu_pct": 1.0}
    steps = [
        {"app_cpu_pct": None, "rps": 80.0, **measured},
        {"app_cpu_pct": 50.0, "rps": 95.5, **measured},
    ]
    return {"steps": steps, **fields}  # type: ignore[typeddict-item]


def test_the_notes_say_what_was_counted_the_cost_and_what_was_not_measured() -> None:
    notes = loadgen_notes(
        summary(
            loadgen={
                "mode": "distributed",
                "workers": 2,
                "rows": 9,
                "locust_requests": 9,
                "max_clock_offset_s": 1.5,
            },
            loadgen_cpu_per_1k_rps=31.46,
        )
    )
    assert notes[0] == (
        "Samples: all 9 requests Locust counted are in the raw samples (from 2 Locust workers)."
    )
    assert "differs from the master's by up to 1.50 s" in notes[1]
    assert notes[2] == (
        "Load generator cost: 31.5 % of a core per 1,000 req/s at the busiest step (95.5 req/s; "
        "a fixed cost weighs more at low rates; target: at most 20 %)."
    )
    assert notes[3].startswith("Figures marked *not measured* ran on a host that recorded none")
    assert loadgen_notes(summary(loadgen=None)) == [notes[3]]


def test_after_a_reset_of_locusts_stats_only_the_workers_rows_are_compared(tmp_path: Path) -> None:
    write(tmp_path, worker(0, sent=10, written=10), worker(1, sent=5, written=5), locust=4)
    with pytest.raises(HarnessError, match="Locust counted 4 requests, the ledger 15 rows"):
        check_ledger(tmp_path, rows_in_files=15, required=True)
    manifest = json.loads((tmp_path / "loadgen.json").read_text())
    (tmp_path / "loadgen.json").write_text(json.dumps({**manifest, "locust_stats_reset": True}))
    summary = check_ledger(tmp_path, rows_in_files=15, required=True)
    assert summary is not None and summary["rows"] == 15
