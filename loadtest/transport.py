"""Raw samples from Locust workers to the master's run folder, over Locust's own messages.

A worker (on another host, or a `--processes` child) sends its rows once a second as a
`bench_samples` message, with how many rows it has sent in this test and its own CPU time.
The master appends each worker's rows to `samples-worker-<index>.csv` and keeps a ledger per
worker. When a test stops, the master asks every worker to stop and send its last rows
(`bench_drain`), waits for each one's final batch, and writes `loadgen.json`: per worker the
rows sent and the rows written, and Locust's own request count. The harness refuses a run
whose ledger does not add up (scripts/harness/loadgen.py). Nothing here imports Locust.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from loadtest.recorder import Row, SamplesFile

logger = logging.getLogger(__name__)

SAMPLES_MSG = "bench_samples"
DRAIN_MSG = "bench_drain"
MANIFEST_FILE = "loadgen.json"
WORKER_RESOURCES_FILE = "resources-workers.csv"
_MB = 1024 * 1024


class WorkerSender:
    """The sink of a worker's recorder: one message per flush, with the worker's ledger."""

    def __init__(
        self,
        send: Callable[[str, dict[str, Any]], None],
        *,
        clock: Callable[[], float] = time.time,
        cpu_seconds: Callable[[], float] = time.process_time,
    ) -> None:
        self._send = send
        self._clock = clock
        self._cpu_seconds = cpu_seconds
        self._process = psutil.Process()
        self._host = socket.gethostname()
        self.seq = 0
        self.rows_sent = 0

    def begin_test(self) -> None:
        self.rows_sent = 0

    def write(self, rows: Sequence[Row], *, final: bool) -> None:
        self.rows_sent += len(rows)
        data = {
            "seq": self.seq,
            "rows": list(rows),
            "final": final,
            "rows_sent": self.rows_sent,
            "at": self._clock(),
            "cpu_s": self._cpu_seconds(),
            "rss_mb": self._process.memory_info().rss / _MB,
            "host": self._host,
            "pid": os.getpid(),
        }
        self.seq += 1
        self._send(SAMPLES_MSG, data)


@dataclass
class Ledger:
    """What the master knows about one worker's rows in the current test."""

    index: int
    client_id: str
    host: str = ""
    pid: int = 0
    file: str = ""
    batches: int = 0
    missing_batches: int = 0
    bad_batches: int = 0
    rows_sent: int = 0
    rows_written: int = 0
    final: bool = False
    clock_offset_s: float | None = None  # master's clock minus the worker's, plus latency
    _last_cpu: tuple[float, float] | None = field(default=None, repr=False)

    def record(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


class SampleCollector:
    """The master's end: every worker's rows into its own file, and one ledger per worker.

    With `worker_resources`, each batch's CPU time also becomes a row of
    resources-workers.csv (group `loadgen_worker_<index>`): workers on other hosts are out
    of the local resource monitor's sight.
    """

    def __init__(
        self,
        directory: Path,
        *,
        worker_resources: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self._worker_resources = worker_resources
        self._clock = clock
        self._files: dict[int, SamplesFile] = {}
        # Per worker for its whole life, across tests: a worker numbers its batches from 0.
        self._last_seq: dict[str, int] = {}
        self.ledgers: dict[str, Ledger] = {}

    def begin_test(self) -> None:
        self.ledgers = {}
        for samples in self._files.values():
            samples.begin_test()

    def receive(self, client_id: str, index: int, data: dict[str, Any]) -> None:
        """One `bench_samples` message from worker `client_id` (Locust's index `index`)."""
        ledger = self.ledgers.get(client_id)
        if ledger is None:
            ledger = self.ledgers[client_id] = Ledger(index=index, client_id=client_id)
        try:
            seq, rows, rows_sent = int(data["seq"]), data["rows"], int(data["rows_sent"])
            at, cpu_s = float(data["at"]), float(data["cpu_s"])
            parsed = [_row(r) for r in rows]
        except (KeyError, TypeError, ValueError):
            ledger.bad_batches += 1
            logger.error("malformed %s message from worker %d", SAMPLES_MSG, index)
            return
        last = self._last_seq.get(client_id, -1)
        if seq > last + 1:
            ledger.missing_batches += seq - last - 1
        self._last_seq[client_id] = max(last, seq)
        ledger.host, ledger.pid = str(data.get("host", "")), int(data.get("pid", 0))
        samples = self._file(index)
        samples.write(parsed, final=bool(data.get("final")))
        ledger.file = samples.path.name
        ledger.batches += 1
        ledger.rows_written += len(parsed)
        ledger.rows_sent = rows_sent
        ledger.final = ledger.final or bool(data.get("final"))
        offset = self._clock() - at
        if ledger.clock_offset_s is None or abs(offset) < abs(ledger.clock_offset_s):
            ledger.clock_offset_s = offset
        self._cpu_row(ledger, at, cpu_s, float(data.get("rss_mb", 0.0)))

    def waiting_for(self, client_ids: Sequence[str]) -> list[str]:
        """The workers among `client_ids` whose final batch has not arrived."""
        return [c for c in client_ids if not (c in self.ledgers and self.ledgers[c].final)]

    def manifest(
        self, *, locust_requests: int, workers_expected: int | None, stats_reset: bool = False
    ) -> dict[str, Any]:
        """The ledger; `stats_reset`: Locust's counters were reset during the test (web UI)."""
        ledgers = sorted(self.ledgers.values(), key=lambda ledger: ledger.index)
        return {
            "mode": "distributed",
            "workers_expected": workers_expected,
            "locust_requests": locust_requests,
            "locust_stats_reset": stats_reset,
            "rows_written": sum(ledger.rows_written for ledger in ledgers),
            "sources": [
                {"name": f"worker-{ledger.index}", **ledger.record()} for ledger in ledgers
            ],
        }

    def close(self) -> None:
        for samples in self._files.values():
            samples.close()

    def _file(self, index: int) -> SamplesFile:
        if index not in self._files:
            self._files[index] = SamplesFile(self.directory / f"samples-worker-{index}.csv")
        return self._files[index]

    def _cpu_row(self, ledger: Ledger, at: float, cpu_s: float, rss_mb: float) -> None:
        previous, ledger._last_cpu = ledger._last_cpu, (at, cpu_s)
        if not self._worker_resources or previous is None or at <= previous[0]:
            return
        cpu_pct = 100.0 * max(0.0, cpu_s - previous[1]) / (at - previous[0])
        path = self.directory / WORKER_RESOURCES_FILE
        new = not path.exists()
        with path.open("a", encoding="utf-8") as handle:
            if new:
                handle.write("t,group,pid_count,cpu_pct,rss_mb\n")
            handle.write(f"{at:.3f},loadgen_worker_{ledger.index},1,{cpu_pct:.1f},{rss_mb:.1f}\n")


def local_manifest(
    samples: SamplesFile, *, locust_requests: int, stats_reset: bool = False
) -> dict[str, Any]:
    """The ledger of a single-process run: one source, written where it was recorded."""
    return {
        "mode": "local",
        "workers_expected": None,
        "locust_requests": locust_requests,
        "locust_stats_reset": stats_reset,
        "rows_written": samples.rows_written,
        "sources": [
            {
                "name": "local",
                "file": samples.path.name,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "rows_sent": samples.rows_written,
                "rows_written": samples.rows_written,
                "final": True,
            }
        ],
    }


def write_manifest(directory: Path, manifest: dict[str, Any]) -> Path:
    path = directory / MANIFEST_FILE
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _row(raw: Sequence[Any]) -> Row:
    t, name, method, ms, ok, size, intended = raw
    due = None if intended is None else float(intended)
    return (float(t), str(name), str(method), float(ms), bool(ok), int(size), due)
