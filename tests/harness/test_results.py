from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.results import (
    INCOMPLETE,
    atomic_write,
    compress_raw,
    create_run_dir,
    is_complete,
    mark_complete,
    newest_complete_run,
    write_run_file,
    write_run_json,
)
from scripts.harness.samples import Sample, load_samples

WHEN = datetime(2026, 11, 25, 16, 58, 50, tzinfo=UTC)


def new_run(
    results: Path, app: str, minute: int, *, variant: str | None = None, complete: bool = True
) -> Path:
    run_dir = create_run_dir(results, app, now=WHEN + timedelta(minutes=minute))
    meta: dict[str, object] = {"app": app, "complete": False}
    if variant is not None:
        meta["variant"] = variant
    write_run_json(run_dir, "meta.json", meta)
    if complete:
        mark_complete(run_dir)
    return run_dir


def test_a_new_run_folder_is_named_by_utc_time_and_starts_incomplete(tmp_path: Path) -> None:
    paris = timezone(timedelta(hours=1))
    run_dir = create_run_dir(
        tmp_path / "results", "django", now=datetime(2026, 11, 25, 17, 58, 50, tzinfo=paris)
    )
    assert run_dir == tmp_path / "results" / "20261125T165850Z-django"
    assert (run_dir / "raw").is_dir()
    assert (run_dir / INCOMPLETE).is_file()
    assert not is_complete(run_dir)


def test_an_existing_run_folder_is_never_reused(tmp_path: Path) -> None:
    create_run_dir(tmp_path, "django", now=WHEN)
    with pytest.raises(FileExistsError):
        create_run_dir(tmp_path, "django", now=WHEN)


def test_mark_complete_sets_the_flag_then_removes_the_marker(tmp_path: Path) -> None:
    run_dir = create_run_dir(tmp_path, "fastapi", now=WHEN)
    write_run_json(run_dir, "meta.json", {"app": "fastapi", "complete": False, "slo_ms": 100})
    mark_complete(run_dir)
    assert json.loads((run_dir / "meta.json").read_text()) == {
        "app": "fastapi",
        "complete": True,
        "status": "complete",
        "slo_ms": 100,
    }
    assert not (run_dir / INCOMPLETE).exists()
    assert is_complete(run_dir)


def test_a_complete_run_cannot_be_written_again(tmp_path: Path) -> None:
    run_dir = new_run(tmp_path, "django", 0)
    with pytest.raises(HarnessError, match="never rewritten"):
        write_run_file(run_dir, "summary.json", "{}")
    assert not (run_dir / "summary.json").exists()


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    run_dir = create_run_dir(tmp_path, "django", now=WHEN)
    write_run_file(run_dir, "summary.md", "first")
    write_run_file(run_dir, "summary.md", "second")
    write_run_file(run_dir, "charts/latency.png", b"\x89PNG")
    assert (run_dir / "summary.md").read_text() == "second"
    assert (run_dir / "charts" / "latency.png").read_bytes() == b"\x89PNG"
    assert sorted(p.name for p in run_dir.iterdir()) == [INCOMPLETE, "charts", "raw", "summary.md"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "README.md"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_newest_complete_run_picks_by_app_variant_and_completeness(tmp_path: Path) -> None:
    old_django = new_run(tmp_path, "django", 0)
    new_django = new_run(tmp_path, "django", 1)
    new_run(tmp_path, "django", 2, complete=False)
    zero = new_run(tmp_path, "django", 3, variant="conn_max_age=0")
    fastapi = new_run(tmp_path, "fastapi", 4)
    (tmp_path / "comparison.md").write_text("not a run")
    (tmp_path / "stray").mkdir()

    assert newest_complete_run(tmp_path, "django") == new_django
    assert newest_complete_run(tmp_path, "django", variant="conn_max_age=0") == zero
    assert newest_complete_run(tmp_path, "fastapi") == fastapi
    assert newest_complete_run(tmp_path, "fastapi", variant="x") is None
    assert newest_complete_run(tmp_path / "missing", "django") is None
    assert old_django.is_dir()


def test_a_run_whose_meta_was_not_marked_complete_is_skipped(tmp_path: Path) -> None:
    run_dir = new_run(tmp_path, "django", 0, complete=False)
    (run_dir / INCOMPLETE).unlink()  # marker gone but meta.json never said complete
    assert newest_complete_run(tmp_path, "django") is None


def test_sealing_gzips_the_bulky_raw_files_and_keeps_the_rest(tmp_path: Path) -> None:
    run_dir = create_run_dir(tmp_path, "django", now=WHEN)
    write_run_json(run_dir, "meta.json", {"app": "django", "complete": False})
    raw = run_dir / "raw"
    contents = {
        "samples-11.csv": "t,name,method,ms,ok,bytes\n1.5,/products,GET,3.25,1,10\n",
        "samples-12.csv": "t,name,method,ms,ok,bytes\n",
        "locust_stats_history.csv": "Timestamp,User Count\n1,2\n",
        "locust.out": "a Locust console line\n",
        "locust_stats.csv": "Type,Name\n",
        "resources.csv": "t,group,pid_count,cpu_pct,rss_mb\n",
        "steps.jsonl": "{}\n",
    }
    for name, text in contents.items():
        (raw / name).write_text(text)

    mark_complete(run_dir)

    packed = {"samples-11.csv", "samples-12.csv", "locust_stats_history.csv", "locust.out"}
    assert sorted(p.name for p in raw.iterdir()) == sorted(
        f"{name}.gz" if name in packed else name for name in contents
    )
    for name, text in contents.items():
        if name in packed:
            assert gzip.decompress((raw / f"{name}.gz").read_bytes()).decode() == text
        else:
            assert (raw / name).read_text() == text
    assert load_samples(raw) == [
        Sample(t=1.5, name="/products", method="GET", ms=3.25, ok=True, bytes=10)
    ]
    assert is_complete(run_dir)


def test_a_sealed_run_cannot_be_sealed_again(tmp_path: Path) -> None:
    run_dir = new_run(tmp_path, "django", 0)
    (run_dir / "raw" / "samples-1.csv").write_text("late\n")
    with pytest.raises(HarnessError, match="cannot be sealed again"):
        mark_complete(run_dir)
    assert (run_dir / "raw" / "samples-1.csv").read_text() == "late\n"


def test_a_seal_interrupted_after_compressing_can_be_redone(tmp_path: Path) -> None:
    run_dir = create_run_dir(tmp_path, "fastapi", now=WHEN)
    write_run_json(run_dir, "meta.json", {"app": "fastapi", "complete": False})
    sample = "t,name,method,ms,ok,bytes\n2.0,/orders,POST,9.5,0,20\n"
    (run_dir / "raw" / "samples-3.csv").write_text(sample)
    compress_raw(run_dir)
    (run_dir / "raw" / "samples-3.csv").write_text(sample)  # as if the unlink never happened

    mark_complete(run_dir)

    assert [p.name for p in (run_dir / "raw").iterdir()] == ["samples-3.csv.gz"]
    assert gzip.decompress((run_dir / "raw" / "samples-3.csv.gz").read_bytes()).decode() == sample
