"""Run folders under results/: created once, written atomically, sealed when complete.

A run folder holds the marker file INCOMPLETE from creation until `mark_complete` sets
meta.json's "complete" to true and removes it; a crash at any point leaves it incomplete.
Files in a run folder can be written (and rewritten) only while it is incomplete.

Sealing also gzips the bulky raw files (the request samples, Locust's per-second history
and its console output): a run in progress keeps plain files that Locust appends to and
a person can tail; a sealed run costs about a fifth of the space in the repository.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scripts.harness.compressed import compress
from scripts.harness.errors import HarnessError
from scripts.harness.meta import META_FILE, load_meta

INCOMPLETE = "INCOMPLETE"
FAILED = "FAILED"
RAW_DIR = "raw"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# raw/ files gzipped when the run is sealed; the analysis reads samples in either form.
SEALED_COMPRESSED = ("samples-*.csv", "locust_stats_history.csv", "locust.out")


def create_run_dir(results_dir: Path, app: str, *, now: datetime | None = None) -> Path:
    """Create results/<UTC timestamp>-<app>/ with raw/ and the INCOMPLETE marker.

    Fails with FileExistsError rather than reuse a folder.
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    run_dir = results_dir / f"{stamp}-{app}"
    results_dir.mkdir(parents=True, exist_ok=True)
    run_dir.mkdir()
    (run_dir / RAW_DIR).mkdir()
    (run_dir / INCOMPLETE).touch()
    return run_dir


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` in one step: write a temporary file beside it, then rename it over."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run_file(run_dir: Path, name: str, data: str | bytes) -> Path:
    """Write `name` (relative to the run folder) atomically; refused once the run is complete."""
    if is_sealed(run_dir) or not run_dir.is_dir():
        raise HarnessError(f"{run_dir}: not an incomplete run folder; results are never rewritten")
    path = run_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return path


def write_run_json(run_dir: Path, name: str, obj: Any) -> Path:
    return write_run_file(run_dir, name, json.dumps(obj, indent=2) + "\n")


def is_sealed(run_dir: Path) -> bool:
    """Complete or failed: nothing in it may change any more."""
    return run_dir.is_dir() and not (run_dir / INCOMPLETE).exists()


def is_complete(run_dir: Path) -> bool:
    return is_sealed(run_dir) and not (run_dir / FAILED).exists()


def compress_raw(run_dir: Path) -> list[Path]:
    """gzip the raw files named by SEALED_COMPRESSED (lossless); returns the .gz files."""
    raw = run_dir / RAW_DIR
    return [compress(path) for pattern in SEALED_COMPRESSED for path in sorted(raw.glob(pattern))]


def mark_complete(run_dir: Path) -> None:
    """Compress the raw files, set meta.json "complete": true, then remove INCOMPLETE.

    In that order, so that a crash at any point leaves an incomplete run that can be sealed
    again.
    """
    if is_sealed(run_dir) or not run_dir.is_dir():
        raise HarnessError(f"{run_dir}: not an incomplete run folder; it cannot be sealed again")
    meta = load_meta(run_dir)
    compress_raw(run_dir)
    meta["complete"] = True
    meta["status"] = "complete"
    write_run_json(run_dir, META_FILE, meta)
    (run_dir / INCOMPLETE).unlink()


def mark_failed(run_dir: Path, reason: str) -> None:
    """Seal a run that measured nothing but errors: meta.json says why, the FAILED marker
    replaces INCOMPLETE, and nothing ever reads it as a result (it is not complete)."""
    if is_sealed(run_dir) or not run_dir.is_dir():
        raise HarnessError(f"{run_dir}: not an incomplete run folder; it cannot be sealed again")
    meta = load_meta(run_dir)
    compress_raw(run_dir)
    meta.update(complete=False, status="failed", failure=reason)
    write_run_json(run_dir, META_FILE, meta)
    (run_dir / FAILED).write_text(reason + "\n", encoding="utf-8")
    (run_dir / INCOMPLETE).unlink()


def newest_complete_run(results_dir: Path, app: str, *, variant: str | None = None) -> Path | None:
    """The newest complete run of `app` whose meta.json "variant" equals `variant`.

    variant=None selects runs without a variant label, i.e. the default configuration.
    Folder names start with a UTC timestamp, so name order is time order.
    """
    if not results_dir.is_dir():
        return None
    for run_dir in sorted((p for p in results_dir.iterdir() if p.is_dir()), reverse=True):
        if not (run_dir / META_FILE).is_file() or not is_complete(run_dir):
            continue
        meta = load_meta(run_dir)
        wanted = (
            meta.get("complete") is True
            and meta.get("app") == app
            and meta.get("variant") == variant
        )
        if wanted:
            return run_dir
    return None
