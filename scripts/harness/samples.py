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

SAMPLES_HEADER = ["t", "name", "method", "ms", "ok", "bytes", "intended"]
# Runs from before the open loop have no `intended` column.
OLD_SAMPLES_HEADER = SAMPLES_HEADER[:-1]
# A request that started later than this after its intended start counts as late; below it
# is the scheduler's own jitter.
LATE_SECONDS = 0.010
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
    intended: float | None = None  # open loop: when it should have started (epoch seconds)

    @property
    def corrected_ms(self) -> float:
        """The latency from when the request should have started (wrk2's correction): a
        request that could only start late is charged the wait, as a real client would be."""
        if self.intended is None:
            return self.ms
        return self.ms + max(0.0, self.t - self.intended) * 1000

    @property
    def late(self) -> bool:
        return self.intended is not None and self.t - self.intended > LATE_SECONDS


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
            if header not in (SAMPLES_HEADER, OLD_SAMPLES_HEADER):
                raise HarnessError(
                    f"{path}: header must be {','.join(SAMPLES_HEADER)}, got {header}"
                )
            width = len(header)
            return [_parse_row(row, path, reader.line_num, width) for row in reader]
    except READ_ERRORS as exc:
        raise HarnessError(f"{path}: damaged gzip file ({exc})") from None


def _parse_row(row: list[str], path: Path, line: int, width: int) -> Sample:
    if len(row) != width:
        raise HarnessError(f"{path}:{line}: expected {width} fields, got {len(row)}")
    t, name, method, ms, ok, size = row[:6]
    intended = row[6] if width > 6 else ""
    if ok not in ("0", "1"):
        raise HarnessError(f"{path}:{line}: ok must be 0 or 1, got {ok!r}")
    try:
        sample = Sample(
            t=float(t),
            name=name,
            method=method,
            ms=float(ms),
            ok=ok == "1",
            bytes=int(size),
            intended=float(intended) if intended else None,
        )
    except ValueError as exc:
        raise HarnessError(f"{path}:{line}: {exc}") from None
    if not (math.isfinite(sample.t) and math.isfinite(sample.ms)) or sample.ms < 0:
        raise HarnessError(f"{path}:{line}: t and ms must be finite and ms >= 0")
    return sample
