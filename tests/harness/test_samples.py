from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scripts.harness.compressed import compress
from scripts.harness.errors import HarnessError
from scripts.harness.samples import Sample, load_samples, samples_files
from tests.harness._factory import write_csv

HEADER = ["t", "name", "method", "ms", "ok", "bytes"]


def test_samples_of_every_process_are_merged_in_start_order(tmp_path: Path) -> None:
    write_csv(
        tmp_path / "samples-0.csv",
        HEADER,
        [(3.5, "/products", "GET", 12.25, 1, 900), (1.0, "/orders", "POST", 40, 0, 80)],
    )
    write_csv(tmp_path / "samples-1.csv", HEADER, [(2.0, "/products/{pk}", "GET", 7, 1, 300)])
    (tmp_path / "other.csv").write_text("ignored\n")

    samples = load_samples(tmp_path)

    assert samples == [
        Sample(t=1.0, name="/orders", method="POST", ms=40.0, ok=False, bytes=80),
        Sample(t=2.0, name="/products/{pk}", method="GET", ms=7.0, ok=True, bytes=300),
        Sample(t=3.5, name="/products", method="GET", ms=12.25, ok=True, bytes=900),
    ]


def test_a_header_only_file_has_no_samples(tmp_path: Path) -> None:
    write_csv(tmp_path / "samples-0.csv", HEADER, [])
    assert load_samples(tmp_path) == []


def test_no_samples_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="no samples"):
        load_samples(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("t,name,ms\n", "header must be"),
        ("", "header must be"),
        ("t,name,method,ms,ok,bytes\n1,/p,GET,5,yes,10\n", r"samples-0.csv:2: ok must be 0 or 1"),
        ("t,name,method,ms,ok,bytes\n1,/p,GET,fast,1,10\n", r"samples-0.csv:2: .*fast"),
        ("t,name,method,ms,ok,bytes\n1,/p,GET,5,1\n", "expected 6 fields"),
        ("t,name,method,ms,ok,bytes\n1,/p,GET,-5,1,10\n", "ms >= 0"),
        ("t,name,method,ms,ok,bytes\nnan,/p,GET,5,1,10\n", "finite"),
    ],
)
def test_malformed_files_name_the_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "samples-0.csv").write_text(content)
    with pytest.raises(HarnessError, match=message):
        load_samples(tmp_path)


def test_compressed_and_plain_files_read_the_same(tmp_path: Path) -> None:
    rows = [(1.0, "/orders", "POST", 40.125, 0, 80), (2.0, "/products", "GET", 7, 1, 300)]
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    for folder in (plain, packed):
        folder.mkdir()
        write_csv(folder / "samples-0.csv", HEADER, rows[:1])
        write_csv(folder / "samples-1.csv", HEADER, rows[1:])
    compress(packed / "samples-0.csv")  # a run can mix both only mid-seal; both must work

    assert samples_files(packed) == [packed / "samples-0.csv.gz", packed / "samples-1.csv"]
    assert load_samples(packed) == load_samples(plain)
    assert len(load_samples(plain)) == 2


def test_a_plain_file_wins_over_its_gz_left_by_an_interrupted_seal(tmp_path: Path) -> None:
    write_csv(tmp_path / "samples-0.csv", HEADER, [(1.0, "/products", "GET", 5, 1, 10)])
    (tmp_path / "samples-0.csv.gz").write_bytes(gzip.compress(b"t,name,method,ms,ok,bytes\n"))
    assert samples_files(tmp_path) == [tmp_path / "samples-0.csv"]
    assert len(load_samples(tmp_path)) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not gzip at all", "damaged gzip file"),
        (
            gzip.compress(b"t,name,method,ms,ok,bytes\n" + b"1,/p,GET,5,1,10\n" * 500)[:-30],
            "damaged",
        ),
        (gzip.compress(b"t,name,method,ms,ok,bytes\n1,/p,GET,5,maybe,10\n"), "ok must be 0 or 1"),
    ],
)
def test_a_damaged_gz_is_a_one_line_error_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "samples-7.csv.gz").write_bytes(content)
    with pytest.raises(HarnessError, match=rf"samples-7.csv.gz.*{message}"):
        load_samples(tmp_path)
