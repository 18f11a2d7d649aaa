from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.results import (
    INCOMPLETE,
    atomic_write,
    create_run_dir,
    is_complete,
    mark_complete,
    newest_complete_run,
    write_run_file,
    write_run_json,
)

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
