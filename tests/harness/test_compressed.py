from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scripts.harness.compressed import compress, open_text

TEXT = "t,name\n" + "".join(f"{i}.5,/products/{{pk}}\n" for i in range(5000))


def test_compress_replaces_the_file_by_a_lossless_gz(tmp_path: Path) -> None:
    path = tmp_path / "samples-1.csv"
    path.write_text(TEXT)

    target = compress(path)

    assert target == tmp_path / "samples-1.csv.gz"
    assert [p.name for p in tmp_path.iterdir()] == ["samples-1.csv.gz"]
    assert gzip.decompress(target.read_bytes()).decode() == TEXT
    assert target.stat().st_size < len(TEXT) / 5


def test_compressing_the_same_content_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "x.csv").write_text(TEXT)
    # No file name and no time stamp in the header: the bytes depend on the content only.
    assert compress(first / "x.csv").read_bytes() == compress(second / "x.csv").read_bytes()


def test_a_failed_compression_keeps_the_original_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "samples-1.csv"
    path.mkdir()  # unreadable as a file: opening it fails after the temporary file exists
    with pytest.raises(OSError):
        compress(path)
    assert [p.name for p in tmp_path.iterdir()] == ["samples-1.csv"]


@pytest.mark.parametrize("name", ["plain.csv", "packed.csv.gz"])
def test_open_text_reads_plain_and_gz_alike(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    payload = "a,b\r\n\u00e9,2\n"
    path.write_bytes(gzip.compress(payload.encode()) if name.endswith(".gz") else payload.encode())
    with open_text(path) as handle:
        assert handle.read() == payload  # newline="" keeps line ends for the csv module
