from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from pathlib import Path

from loadtest.recorder import SAMPLES_HEADER, Row, SampleRecorder, SamplesFile


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


class Batches:
    """A sink that keeps what it is handed."""

    def __init__(self) -> None:
        self.batches: list[tuple[list[Row], bool]] = []

    def write(self, rows: Sequence[Row], *, final: bool) -> None:
        self.batches.append((list(rows), final))


def test_rows_keep_locust_start_time_and_float_ms_until_written(tmp_path: Path) -> None:
    samples = SamplesFile(tmp_path / "raw" / "samples-local.csv")
    recorder = SampleRecorder(samples)

    recorder.on_request("GET", "/products", 123.4567, 2048, start_time=1000.0765)
    recorder.on_request("POST", "/orders", 250.0, None, exception=RuntimeError("409"), start_time=2)
    recorder.on_request("GET", "/x", 9.0, 5, start_time=3.25, context={"intended": 3.0})
    assert not samples.path.exists()  # nothing is formatted per request
    recorder.flush(final=True)
    samples.close()

    assert rows(samples.path) == [
        list(SAMPLES_HEADER),
        ["1000.076500", "/products", "GET", "123.457", "1", "2048", ""],
        ["2.000000", "/orders", "POST", "250.000", "0", "0", ""],
        # The open loop's intended start travels with the row.
        ["3.250000", "/x", "GET", "9.000", "1", "5", "3.000000"],
    ]
    assert samples.rows_written == 3


def test_a_request_without_a_start_stamp_started_its_duration_before_now() -> None:
    sink = Batches()
    recorder = SampleRecorder(sink)
    recorder.on_request("GET", "/x", 500.0, 1)
    recorder.flush()
    ((row,), final) = sink.batches[0][0], sink.batches[0][1]
    assert not final

    assert time.time() - 0.5 - 5 < row[0] <= time.time() - 0.5


def test_each_flush_hands_over_the_rows_once_and_empty_batches_still_go(tmp_path: Path) -> None:
    sink = Batches()
    recorder = SampleRecorder(sink)
    recorder.on_request("GET", "/a", 1.0, 10, start_time=0.4)
    recorder.flush()
    recorder.flush()
    recorder.on_request("GET", "/b", 2.0, 10, start_time=0.9)
    recorder.flush(final=True)
    assert [([r[1] for r in rows], final) for rows, final in sink.batches] == [
        (["/a"], False),
        ([], False),
        (["/b"], True),
    ]


def test_appends_to_an_existing_file_without_a_second_header(tmp_path: Path) -> None:
    for name in ("/first", "/second"):
        samples = SamplesFile(tmp_path / "samples-local.csv")
        recorder = SampleRecorder(samples)
        recorder.on_request("GET", name, 1.0, 1, start_time=5.0)
        recorder.flush()
        samples.close()

    assert [r[1] for r in rows(tmp_path / "samples-local.csv")] == ["name", "/first", "/second"]


def test_requests_without_a_time_are_skipped_names_are_quoted_counts_restart(
    tmp_path: Path,
) -> None:
    samples = SamplesFile(tmp_path / "s.csv")
    recorder = SampleRecorder(samples)
    recorder.on_request("GET", "/x", None, 1)
    recorder.on_request("GET", "/a,b", 2.0, 1, start_time=1.0)
    recorder.flush()
    assert samples.rows_written == 1
    samples.begin_test()
    assert samples.rows_written == 0
    samples.close()

    assert [r[1] for r in rows(samples.path)] == ["name", "/a,b"]
