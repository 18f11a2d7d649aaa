"""Synthetic run folders, written the way Locust and the orchestrator write real ones."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scripts.harness.build import analyze_run
from scripts.harness.results import create_run_dir, mark_complete, write_run_file, write_run_json
from scripts.harness.session_report import write_session_report
from scripts.harness.summary import dumps

SampleRow = tuple[float, str, str, float, int, int]  # t, name, method, ms, ok, bytes
ResourceRow = tuple[float, str, int, float, float]  # t, group, pid_count, cpu_pct, rss_mb


def base_meta(app: str = "django", **overrides: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "app": app,
        "slo_ms": 100,
        "variant": None,
        "think": {"text": "1", "low_s": 1.0, "high_s": 1.0},
        "ramp": [10, 20],
        "auto_ramp": None,
        "step_seconds": 30,
        "settle_seconds": 5,
        "spawn_rate": 10,
        "stack": {
            "envelope": {"requested": {"cpus": 1.0, "mem_mb": 512}, "applied": None},
            "database": {"seed": {"products": 100, "users": 1000}},
            "app_server": {"conn_max_age": 60 if app == "django" else None},
        },
        "machine": {
            "cpu_model": "Test CPU 3000",
            "logical_cores": 2,
            "memory_mb": 4096,
            "os": "Linux 6.1",
            "arch": "x86_64",
        },
        "command": f"scripts/bench.py {app}",
        "started_at": "2026-01-01T00:00:00Z",
        "finished_at": "2026-01-01T00:01:00Z",
        "complete": False,
    }
    meta.update(overrides)
    return meta


def make_run(
    results_dir: Path,
    *,
    meta: dict[str, Any],
    steps: Sequence[tuple[int, float, float]],
    sample_files: Sequence[Iterable[Sequence[object]]],
    resources: Iterable[ResourceRow],
    when: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    header: Sequence[str] = ("t", "name", "method", "ms", "ok", "bytes"),
) -> Path:
    """A run folder holding meta.json and raw files; `steps` are (users, start, end).

    `sample_files` holds the rows of each samples-N.csv, as one Locust process each.
    """
    run_dir = create_run_dir(results_dir, meta["app"], now=when)
    write_run_json(run_dir, "meta.json", meta)
    raw = run_dir / "raw"
    with (raw / "steps.jsonl").open("w") as handle:
        for index, (users, start, end) in enumerate(steps):
            handle.write(
                json.dumps({"index": index, "users": users, "start": start, "end": end}) + "\n"
            )
    for number, rows in enumerate(sample_files):
        write_csv(raw / f"samples-{number}.csv", list(header), rows)
    write_csv(raw / "resources.csv", ["t", "group", "pid_count", "cpu_pct", "rss_mb"], resources)
    return run_dir


def write_csv(path: Path, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def steady_resources(start: int, end: int, **cpu: float) -> list[ResourceRow]:
    """One reading per second in [start, end] for each group given as group=cpu_pct."""
    return [
        (float(t), group, 1, value, 100.0)
        for t in range(start, end + 1)
        for group, value in cpu.items()
    ]


INVARIANTS_OK = {
    "ok": True,
    "checks": {"sold_equals_ordered": {"ok": True, "violations": 0}},
}


def two_step_run(
    results_dir: Path,
    app: str = "django",
    *,
    when: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    slow_ms: float = 150,
    **meta_overrides: Any,
) -> Path:
    """A run with known figures: 10 users then 20, 30 s steps from epoch 1000, 5 s settle.

    Steady windows are [1006, 1030) and [1036, 1060) (1 s ramp each at 10 users/s).
    Step 10: 100 GET /products taking 1..100 ms. Step 20: 24 /products taking `slow_ms` and
    24 POST /orders taking 50 ms, one of them failed. Ramp-time samples take 5000 ms and must
    never count; three logins (300, 400 failed, 500 ms) are reported apart.
    """
    ramp_noise = [
        (t + 0.5, "/products", "GET", 5000.0, 1, 10)
        for t in (*range(1000, 1006), *range(1030, 1036))
    ]
    logins = [
        (1000.5, "/auth/login", "POST", 300.0, 1, 50),
        (1000.6, "/auth/login", "POST", 400.0, 0, 50),
        (1030.5, "/auth/login", "POST", 500.0, 1, 50),
    ]
    first = [(1006 + i * 0.2, "/products", "GET", float(i + 1), 1, 900) for i in range(100)]
    second = [
        row
        for i in range(24)
        for row in (
            (1036.0 + i, "/products", "GET", slow_ms, 1, 900),
            (1036.5 + i, "/orders", "POST", 50.0, 0 if i == 0 else 1, 200),
        )
    ]

    def usage(t: int) -> dict[str, tuple[float, float]]:
        if 1006 < t <= 1030:
            return {"app": (50, 100), "db": (10, 30), "nginx": (5, 8), "loadgen_max": (30, 60)}
        if 1036 < t <= 1060:
            return {"app": (80, 150), "db": (20, 30), "nginx": (5, 8), "loadgen_max": (40, 60)}
        return {"app": (300, 999), "db": (99, 30), "nginx": (99, 8), "loadgen_max": (99, 60)}

    resources = [
        (float(t), group, 1, cpu, rss)
        for t in range(1000, 1061)
        for group, (cpu, rss) in usage(t).items()
    ]
    run_dir = make_run(
        results_dir,
        meta=base_meta(app, **meta_overrides),
        steps=[(10, 1000, 1030), (20, 1030, 1060)],
        sample_files=[ramp_noise + logins + first, second],
        resources=resources,
        when=when,
    )
    write_run_json(run_dir, "invariants.json", INVARIANTS_OK)
    return run_dir


WHEN = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def finished_session(
    results: Path,
    name: str,
    minute: int,
    apps: dict[str, dict[str, Any]],
    *,
    trials: int = 3,
    kind: str = "bench",
    after_run: Callable[[Path], None] | None = None,
) -> Path:
    """A session as `make bench` leaves it: interleaved sealed runs, aggregates, summary.md.

    `apps` maps each app to the meta overrides of its runs (e.g. variant, slow_ms).
    """
    stamp = (WHEN + timedelta(minutes=minute)).strftime("%Y%m%dT%H%M%SZ")
    folder = results / f"{stamp}-{name}"
    order = []
    for trial in range(trials):
        for offset, (app, overrides) in enumerate(apps.items()):
            when = WHEN + timedelta(minutes=minute, seconds=trial * 10 + offset)
            run_dir = two_step_run(folder / "runs", app, when=when, **overrides)
            if after_run is not None:
                after_run(run_dir)
            write_run_file(run_dir, "summary.json", dumps(analyze_run(run_dir)[0]))
            mark_complete(run_dir)
            order.append(
                {"trial": trial + 1, "app": app, "run": run_dir.name, "status": "complete"}
            )
    record = {
        "name": folder.name,
        "kind": kind,
        "apps": list(apps),
        "order": order,
        "status": "complete",
    }
    (folder / "session.json").write_text(json.dumps(record))
    write_session_report(folder)
    return folder
