"""Every request as one raw row, so percentiles near the SLO can be computed exactly.

Locust's own statistics round response times of 100..999 ms to 10 ms buckets; this listener
keeps the float milliseconds Locust measured. Each Locust process appends to its own
`samples-<pid>.csv` (with --processes every worker is a separate process).
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import gevent

SAMPLES_HEADER = ("t", "name", "method", "ms", "ok", "bytes")
FLUSH_SECONDS = 1.0


class SampleRecorder:
    """Buffers request rows and appends them to this process's CSV at least once a second."""

    def __init__(self, directory: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self._clock = clock
        self._rows: list[tuple[str, str, str, str, str, int]] = []
        self._pid = os.getpid()
        self._file: IO[str] | None = None
        self._last_flush = clock()

    @property
    def path(self) -> Path:
        return self.directory / f"samples-{os.getpid()}.csv"

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int | None,
        exception: BaseException | None = None,
        start_time: float | None = None,
        **_kwargs: Any,
    ) -> None:
        """Listener for Locust's `request` event."""
        if response_time is None:
            return  # only custom clients report no time; there is nothing to measure
        self._forget_parent()
        now = self._clock()
        # Locust's own start stamp is exact; without one, the end minus the duration is.
        started = start_time if start_time is not None else now - response_time / 1000
        self._rows.append(
            (
                f"{started:.6f}",
                name,
                request_type,
                f"{response_time:.3f}",
                "1" if exception is None else "0",
                response_length or 0,
            )
        )
        if now - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self._forget_parent()
        self._last_flush = self._clock()
        if not self._rows:
            return
        handle = self._open()
        csv.writer(handle).writerows(self._rows)
        handle.flush()
        self._rows.clear()

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None

    def flush_forever(self) -> None:
        """Greenlet body: rows reach the disk within a second even when requests stall."""
        while True:
            gevent.sleep(FLUSH_SECONDS)
            self.flush()

    def _open(self) -> IO[str]:
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", newline="", encoding="utf-8")
            if self._file.tell() == 0:
                csv.writer(self._file).writerow(SAMPLES_HEADER)
        return self._file

    def _forget_parent(self) -> None:
        # A forked Locust worker inherits this object: its rows and file belong to the parent.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._rows = []
            self._file = None


def install(events: Any, directory: Path) -> SampleRecorder:
    """Hook a recorder into Locust's events: every request, flushed each second and at the end.

    Called from Locust's `init` event, in every process that sends requests.
    """
    recorder = SampleRecorder(directory)
    events.request.add_listener(recorder.on_request)
    gevent.spawn(recorder.flush_forever)
    events.test_stop.add_listener(lambda **_: recorder.flush())
    events.quitting.add_listener(lambda **_: recorder.close())
    return recorder
