"""The worker -> master sample transport without Locust: what is sent, what is written, and
the ledger that says whether every row arrived."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from loadtest.recorder import Row, SamplesFile
from loadtest.transport import (
    SAMPLES_MSG,
    SampleCollector,
    WorkerSender,
    local_manifest,
    write_manifest,
)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def row(t: float, name: str = "/products") -> Row:
    return (t, name, "GET", 12.5, True, 100, None)


def sent_by(sender: WorkerSender, *batches: tuple[list[Row], bool]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    sender._send = lambda kind, data: out.append(data) if kind == SAMPLES_MSG else None
    for rows, final in batches:
        sender.write(rows, final=final)
    return out


def test_a_worker_numbers_its_batches_and_counts_its_rows_per_test() -> None:
    cpu = Clock(3.0)
    sender = WorkerSender(lambda kind, data: None, clock=Clock(100.0), cpu_seconds=cpu)
    first, second = sent_by(sender, ([row(1), row(2)], False), ([row(3)], True))
    assert (first["seq"], first["rows_sent"], first["final"]) == (0, 2, False)
    assert (second["seq"], second["rows_sent"], second["final"]) == (1, 3, True)
    assert first["rows"] == [row(1), row(2)] and first["cpu_s"] == 3.0 and first["at"] == 100.0
    assert first["rss_mb"] > 0 and first["host"] and first["pid"] > 0
    sender.begin_test()
    (third,) = sent_by(sender, ([row(4)], False))
    assert (third["seq"], third["rows_sent"]) == (2, 1)  # numbering goes on, the count restarts
    json.dumps(third)  # plain data: it travels as msgpack


def test_the_master_writes_each_worker_to_its_own_file_and_balances_the_ledger(
    tmp_path: Path,
) -> None:
    collector = SampleCollector(tmp_path, worker_resources=False, clock=Clock(100.01))
    sender = WorkerSender(lambda kind, data: None, clock=Clock(100.0))
    for data in sent_by(sender, ([row(1), row(2)], False), ([], False), ([row(3)], True)):
        collector.receive("w-a", 0, data)
    other = WorkerSender(lambda kind, data: None, clock=Clock(100.0))
    for data in sent_by(other, ([row(5, "/orders")], True)):
        collector.receive("w-b", 1, data)
    collector.close()

    with (tmp_path / "samples-worker-0.csv").open(newline="") as handle:
        assert [r[0] for r in csv.reader(handle)] == ["t", "1.000000", "2.000000", "3.000000"]
    assert (tmp_path / "samples-worker-1.csv").read_text().count("/orders") == 1
    manifest = collector.manifest(locust_requests=4, workers_expected=2)
    assert manifest["rows_written"] == 4 and manifest["workers_expected"] == 2
    a, b = manifest["sources"]
    assert (a["name"], a["rows_sent"], a["rows_written"], a["batches"], a["final"]) == (
        "worker-0",
        3,
        3,
        3,
        True,
    )
    assert a["missing_batches"] == 0 and abs(a["clock_offset_s"] - 0.01) < 1e-9
    assert (b["name"], b["file"]) == ("worker-1", "samples-worker-1.csv")
    assert collector.waiting_for(["w-a", "w-b", "w-c"]) == ["w-c"]
    assert not (tmp_path / "resources-workers.csv").exists()


def test_a_lost_batch_shows_as_missing_rows_and_a_gap(tmp_path: Path) -> None:
    collector = SampleCollector(tmp_path, worker_resources=False)
    sender = WorkerSender(lambda kind, data: None)
    first, lost, last = sent_by(sender, ([row(1)], False), ([row(2), row(3)], False), ([], True))
    collector.receive("w", 0, first)
    collector.receive("w", 0, last)
    collector.close()
    (source,) = collector.manifest(locust_requests=3, workers_expected=1)["sources"]
    assert (source["rows_sent"], source["rows_written"], source["missing_batches"]) == (3, 1, 1)
    assert lost["seq"] == 1


def test_a_lost_first_batch_is_a_gap_too(tmp_path: Path) -> None:
    collector = SampleCollector(tmp_path, worker_resources=False)
    sender = WorkerSender(lambda kind, data: None)
    _, second = sent_by(sender, ([row(1)], False), ([row(2)], True))
    collector.receive("w", 0, second)
    collector.close()
    (source,) = collector.manifest(locust_requests=2, workers_expected=1)["sources"]
    assert source["missing_batches"] == 1


def test_malformed_batches_are_counted_not_written(tmp_path: Path) -> None:
    collector = SampleCollector(tmp_path, worker_resources=False)
    collector.receive("w", 0, {"seq": 0, "rows": [[1, "/a"]], "rows_sent": 1, "at": 1, "cpu_s": 0})
    (source,) = collector.manifest(locust_requests=1, workers_expected=1)["sources"]
    assert (source["bad_batches"], source["rows_written"]) == (1, 0)


def test_remote_workers_cpu_becomes_resource_rows(tmp_path: Path) -> None:
    collector = SampleCollector(tmp_path, worker_resources=True)
    cpu, clock = Clock(10.0), Clock(100.0)
    sender = WorkerSender(lambda kind, data: None, clock=clock, cpu_seconds=cpu)
    batches = []
    for at, cpu_s in ((100.0, 10.0), (101.0, 10.25), (103.0, 11.25)):
        clock.now, cpu.now = at, cpu_s
        batches += sent_by(sender, ([], False))
    for data in batches:
        collector.receive("w", 3, data)
    with (tmp_path / "resources-workers.csv").open(newline="") as handle:
        got = [(r["t"], r["group"], r["cpu_pct"]) for r in csv.DictReader(handle)]
    assert got == [("101.000", "loadgen_worker_3", "25.0"), ("103.000", "loadgen_worker_3", "50.0")]


def test_a_new_test_starts_a_new_ledger(tmp_path: Path) -> None:
    collector = SampleCollector(tmp_path, worker_resources=False)
    sender = WorkerSender(lambda kind, data: None)
    for data in sent_by(sender, ([row(1)], True)):
        collector.receive("w", 0, data)
    collector.begin_test()
    sender.begin_test()
    for data in sent_by(sender, ([row(2)], False)):
        collector.receive("w", 0, data)
    collector.close()
    (source,) = collector.manifest(locust_requests=1, workers_expected=1)["sources"]
    assert (source["rows_written"], source["final"], source["missing_batches"]) == (1, False, 0)


def test_the_local_ledger_and_its_file(tmp_path: Path) -> None:
    samples = SamplesFile(tmp_path / "samples-local.csv")
    samples.write([row(1), row(2)], final=True)
    samples.close()
    path = write_manifest(tmp_path, local_manifest(samples, locust_requests=2))
    manifest = json.loads(path.read_text())
    assert manifest["mode"] == "local" and manifest["rows_written"] == 2
    assert manifest["sources"][0] | {"host": "h", "pid": 1} == {
        "name": "local",
        "file": "samples-local.csv",
        "host": "h",
        "pid": 1,
        "rows_sent": 2,
        "rows_written": 2,
        "final": True,
    }
