"""Every request as one raw row, so percentiles near the SLO can be computed exactly.

Locust's own statistics round response times of 100..999 ms to 10 ms buckets; this listener
keeps the float milliseconds Locust measured. Rows are buffered as plain tuples and handed
to a sink once a second: a CSV file in a single-process run (`SamplesFile`), the master in
a distributed one (loadtest/transport.py), which writes them with the same `SamplesFile`.
The listener runs once per request in the load generator, so it only appends a tuple:
formatting happens once a second, in bulk, where the rows are written.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import gevent

SAMPLES_HEADER = ("t", "name", "method", "ms", "ok", "bytes", "intended")
FLUSH_SECONDS = 1.0

# (start epoch, name, method, response time in ms, ok, response bytes, intended start epoch:
# in the open loop (ARRIVAL) when the request should have started, else None)
Row = tuple[float, str, str, float, bool, int, float | None]


class Sink(Protocol):
    def write(self, rows: Sequence[Row], *, final: bool) -> None: ...


class SampleRecorder:
    """Listener for Locust's `request` event; `flush` hands the buffered rows to the sink."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self._rows: list[Row] = []

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int | None,
        exception: BaseException | None = None,
        start_time: float | None = None,
        context: dict[str, Any] | None = None,
        **_kwargs: Any,
    ) -> None:
        if response_time is None:
            return  # only custom clients report no time; there is nothing to measure
        if start_time is None:
            # Locust's own start stamp is exact; without one, the end minus the duration is.
            start_time = time.time() - response_time / 1000
        intended = context.get("intended") if context else None
        self._rows.append(
            (
                start_time,
                name,
                request_type,
                response_time,
                exception is None,
                response_length or 0,
                intended,
            )
        )

    def flush(self, *, final: bool = False) -> None:
        """Hand every buffered row to the sink; `final` says no more will come in this test."""
        rows, self._rows = self._rows, []
        self.sink.write(rows, final=final)

    def flush_forever(self) -> None:
        """Greenlet body: rows leave the buffer within a second even when requests stall."""
        while True:
            gevent.sleep(FLUSH_SECONDS)
            self.flush()


class SamplesFile:
    """Appends rows to one CSV (`t,name,method,ms,ok,bytes,intended`), counting them per test."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows_written = 0
        self._file: IO[str] | None = None

    def begin_test(self) -> None:
        self.rows_written = 0

    def write(self, rows: Sequence[Row], *, final: bool = False) -> None:
        if rows:
            handle = self._open()
            csv.writer(handle).writerows(
                (
                    f"{t:.6f}",
                    name,
                    method,
                    f"{ms:.3f}",
                    "1" if ok else "0",
                    size,
                    "" if intended is None else f"{intended:.6f}",
                )
                for t, name, method, ms, ok, size, intended in rows
            )
            self.rows_written += len(rows)
        if (rows or final) and self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open(self) -> IO[str]:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", newline="", encoding="utf-8")
            if self._file.tell() == 0:
                csv.writer(self._file).writerow(SAMPLES_HEADER)
        return self._file
