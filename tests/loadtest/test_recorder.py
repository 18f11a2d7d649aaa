from __future__ import annotations

import csv
import os
from pathlib import Path

from loadtest.recorder import SAMPLES_HEADER, SampleRecorder


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_rows_reach_this_process_file_with_start_time_and_float_ms(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    recorder = SampleRecorder(tmp_path / "raw", clock=clock)

    clock.now = 1000.2
    recorder.on_request("GET", "/products", 123.4567, 2048, start_time=1000.0765)
    clock.now = 1000.5
    # No start_time (another client): the start is the end minus the duration.
    recorder.on_request("POST", "/orders", 250.0, None, exception=RuntimeError("409"))
    recorder.close()

    assert recorder.path == tmp_path / "raw" / f"samples-{os.getpid()}.csv"
    assert rows(recorder.path) == [
        list(SAMPLES_HEADER),
        ["1000.076500", "/products", "GET", "123.457", "1", "2048"],
        ["1000.250000", "/orders", "POST", "250.000", "0", "0"],
    ]


def test_rows_are_flushed_once_a_second_without_waiting_for_the_end(tmp_path: Path) -> None:
    clock = Clock(0.0)
    recorder = SampleRecorder(tmp_path, clock=clock)

    clock.now = 0.5
    recorder.on_request("GET", "/a", 1.0, 10, start_time=0.4)
    assert not recorder.path.exists()
    clock.now = 1.0
    recorder.on_request("GET", "/b", 1.0, 10, start_time=0.9)
    assert [r[1] for r in rows(recorder.path)] == ["name", "/a", "/b"]

    clock.now = 1.2
    recorder.on_request("GET", "/c", 1.0, 10, start_time=1.1)
    recorder.flush()
    assert [r[1] for r in rows(recorder.path)][-1] == "/c"
    recorder.close()


def test_appends_to_an_existing_file_without_a_second_header(tmp_path: Path) -> None:
    for name in ("/first", "/second"):
        recorder = SampleRecorder(tmp_path)
        recorder.on_request("GET", name, 1.0, 1, start_time=5.0)
        recorder.close()

    assert [r[1] for r in rows(tmp_path / f"samples-{os.getpid()}.csv")] == [
        "name",
        "/first",
        "/second",
    ]


def test_requests_without_a_time_are_skipped_and_names_are_quoted(tmp_path: Path) -> None:
    recorder = SampleRecorder(tmp_path)
    recorder.on_request("GET", "/x", None, 1)
    recorder.on_request("GET", "/a,b", 2.0, 1, start_time=1.0)
    recorder.close()

    assert [r[1] for r in rows(recorder.path)] == ["name", "/a,b"]
