"""Raw request samples written by each Locust process (raw/samples-*.csv).

A run in progress has plain CSV files; a sealed run has them gzip-compressed
(samples-*.csv.gz, see `results.mark_complete`). Both read the same.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from scripts.harness.compressed import GZ_SUFFIX, READ_ERRORS, open_text
from scripts.harness.errors import HarnessError

SAMPLES_HEADER = ["t", "name", "method", "ms", "ok", "bytes"]
SAMPLES_GLOB = "samples-*.csv"
LOGIN_NAME = "/auth/login"


@dataclass(frozen=True, slots=True)
class Sample:
    """One request: `t` is when it started (epoch seconds), `ms` how long it took."""

    t: float
    name: str
    method: str
    ms: float
    ok: bool
    bytes: int


def samples_files(raw_dir: Path) -> list[Path]:
    """One file per Locust process, plain or .gz, in name order.

    When both exist (a seal interrupted between writing the .gz and removing the CSV) the
    plain CSV is the one read: it is removed only once its .gz is complete.
    """
    chosen = {p.name.removesuffix(GZ_SUFFIX): p for p in raw_dir.glob(SAMPLES_GLOB + GZ_SUFFIX)}
    chosen.update((p.name, p) for p in raw_dir.glob(SAMPLES_GLOB))
    return [chosen[name] for name in sorted(chosen)]


def load_samples(raw_dir: Path) -> list[Sample]:
    """Every sample of every Locust process, ordered by start time."""
    files = samples_files(raw_dir)
    if not files:
        raise HarnessError(f"{raw_dir}: no {SAMPLES_GLOB} or {SAMPLES_GLOB}{GZ_SUFFIX} files")
    samples: list[Sample] = []
    for path in files:
        samples.extend(read_samples_file(path))
    samples.sort(key=lambda s: s.t)
    return samples


def read_samples_file(path: Path) -> list[Sample]:
    """The samples of one file, plain or gzip-compressed, in file order."""
    try:
        with open_text(path) as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header != SAMPLES_HEADER:
                raise HarnessError(
                    f"{path}: header must be {','.join(SAMPLES_HEADER)}, got {header}"
                )
            return [_parse_row(row, path, reader.line_num) for row in reader]
    except READ_ERRORS as exc:
        raise HarnessError(f"{path}: damaged gzip file ({exc})") from None


def _parse_row(row: list[str], path: Path, line: int) -> Sample:
    if len(row) != len(SAMPLES_HEADER):
        raise HarnessError(f"{path}:{line}: expected {len(SAMPLES_HEADER)} fields, got {len(row)}")
    t, name, method, ms, ok, size = row
    if ok not in ("0", "1"):
        raise HarnessError(f"{path}:{line}: ok must be 0 or 1, got {ok!r}")
    try:
        sample = Sample(
            t=float(t), name=name, method=method, ms=float(ms), ok=ok == "1", bytes=int(size)
        )
    except ValueError as exc:
        raise HarnessError(f"{path}:{line}: {exc}") from None
    if not (math.isfinite(sample.t) and math.isfinite(sample.ms)) or sample.ms < 0:
        raise HarnessError(f"{path}:{line}: t and ms must be finite and ms >= 0")
    return sample
