"""Real Locust processes, a master and its workers on loopback, with synthetic requests:
every worker's rows reach the master's folder, and a lost batch is caught by the ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.appservers import REPO, base_env
from infra.ports import free_port
from scripts.harness.errors import HarnessError
from scripts.harness.loadgen import check_ledger
from scripts.harness.samples import load_samples

LOCUST = str(Path(sys.executable).parent / "locust")
LOCUSTFILE = str(Path(__file__).with_name("synthetic_locustfile.py"))


def processes(count: int) -> list[str]:
    """--processes on a port of its own: other runs on this machine may hold Locust's 5557."""
    port = str(free_port())
    return ["--processes", str(count), "--master-bind-port", port, "--master-port", port]


def locust(raw: Path, *extra: str) -> list[str]:
    return [
        LOCUST,
        "-f",
        LOCUSTFILE,
        "--headless",
        "--users",
        "6",
        "--spawn-rate",
        "6",
        "--run-time",
        "3s",
        "--bench-samples-dir",
        str(raw),
        "--loglevel",
        "WARNING",
        *extra,
    ]


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        argv, cwd=REPO, env=base_env(), capture_output=True, text=True, timeout=90, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def ledger(raw: Path) -> dict[str, object]:
    manifest: dict[str, object] = json.loads((raw / "loadgen.json").read_text())
    return manifest


def test_local_processes_send_every_row_to_the_master(tmp_path: Path) -> None:
    run(locust(tmp_path, *processes(2)))

    manifest = ledger(tmp_path)
    samples = load_samples(tmp_path)
    assert sorted(p.name for p in tmp_path.glob("samples-*.csv")) == [
        "samples-worker-0.csv",
        "samples-worker-1.csv",
    ]
    assert manifest["mode"] == "distributed" and manifest["workers_expected"] == 2
    assert manifest["locust_requests"] == manifest["rows_written"] == len(samples) > 0
    summary = check_ledger(tmp_path, rows_in_files=len(samples), required=True)
    assert summary is not None and summary["workers"] == 2
    # Children of the master are watched by the harness's own monitor, not reported twice.
    assert not (tmp_path / "resources-workers.csv").exists()


def test_workers_started_apart_report_their_rows_and_their_cpu(tmp_path: Path) -> None:
    port = free_port()
    master = subprocess.Popen(
        locust(
            tmp_path,
            "--master",
            "--expect-workers",
            "2",
            "--expect-workers-max-wait",
            "60",
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            str(port),
        ),
        cwd=REPO,
        env=base_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    worker_cmd = [
        LOCUST,
        "-f",
        LOCUSTFILE,
        "--worker",
        "--master-port",
        str(port),
        "--loglevel",
        "WARNING",
    ]
    workers = [
        subprocess.Popen(
            worker_cmd,
            cwd=REPO,
            env=base_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        _, err = master.communicate(timeout=90)
        assert master.returncode == 0, err[-3000:]
        assert [worker.wait(timeout=30) for worker in workers] == [0, 0]
    finally:
        master.kill()
        master.wait()
        for worker in workers:
            worker.kill()
            worker.wait()

    samples = load_samples(tmp_path)
    summary = check_ledger(tmp_path, rows_in_files=len(samples), required=True)
    assert summary is not None and summary["workers"] == 2 and summary["rows"] == len(samples)
    rows = (tmp_path / "resources-workers.csv").read_text().splitlines()
    assert rows[0] == "t,group,pid_count,cpu_pct,rss_mb"
    assert {line.split(",")[1] for line in rows[1:]} == {"loadgen_worker_0", "loadgen_worker_1"}


def test_a_worker_batch_lost_on_the_way_fails_the_ledger(tmp_path: Path) -> None:
    run(locust(tmp_path, *processes(2), "--drop-batch-of-worker", "1"))

    samples = load_samples(tmp_path)
    with pytest.raises(HarnessError, match=r"samples missing: worker-1 \(.*\) sent \d+ rows") as e:
        check_ledger(tmp_path, rows_in_files=len(samples), required=True)
    assert "batches lost" in str(e.value) and "Locust counted" in str(e.value)


def test_make_loadgen_worker_needs_the_masters_address() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.loadgen_worker"],
        cwd=REPO,
        env={**base_env(), "MASTER": "*:5557"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: MASTER=*:5557: a worker needs the master's address, not *"
