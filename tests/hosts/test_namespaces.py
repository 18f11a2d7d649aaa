"""The study's topology on one machine: database, app and load on hosts of their own.

Network namespaces stand in for the machines (tests/hosts/_netns.py), on a subnet that
exists only inside them. Each host runs the project's own command for its role:
- db (10.231.0.1): `make db BIND=...`, the embedded PostgreSQL for the network;
- app (10.231.0.2): `make serve BIND=... DATABASE_URL=... RESOURCES_PORT=...`;
- load (10.231.0.3): the master, `make bench-fastapi TARGET_URL=http://10.231.0.2:...
  LOCUST_WORKERS=2`, and one worker, `make loadgen-worker MASTER=10.231.0.3:5557`;
- load2 (10.231.0.4): the second worker.
The commands run as the Makefile runs them (the virtualenv's Python, MAKE_TARGET set), not
through make: a stale install would have make reach for a package index from inside.
The run must complete with every request of both workers in its folder, the app host's
CPU in its steps, and the invariants checked on the database host.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from infra.appservers import REPO
from infra.ports import free_port
from scripts.harness.samples import load_samples
from tests.hosts._netns import Network, Process, network, pids_in, why_not_possible

REASON = why_not_possible()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

ROLES = ("db", "app", "load", "load2")
RAMP = {"RAMP": "2 4", "STEP_SECONDS": "8", "SETTLE_SECONDS": "2", "SPAWN_RATE": "4", "TRIALS": "1"}


def make(target: str, module: str, *args: str) -> list[str]:
    """What `make <target>` runs, with MAKE_TARGET as the Makefile exports it."""
    return ["env", f"MAKE_TARGET={target}", sys.executable, "-m", module, *args]


def env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A clean environment: PATH and the settings, nothing inherited that could steer a run."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "LC_ALL": "C.UTF-8",
        "SEED_USERS": "8",
        "THINK": "0.05-0.1",
        **settings,
    }


def test_load_app_and_database_on_three_hosts(tmp_path: Path) -> None:
    with network(ROLES) as net:
        started: list[Process] = []
        try:
            _run_the_study(net, tmp_path, started)
        finally:
            for process in reversed(started):
                process.stop()
        for name in net.namespaces():
            assert pids_in(name) == [], f"processes left in {name}"


def _run_the_study(net: Network, tmp_path: Path, started: list[Process]) -> None:
    db, app, load = (net.hosts[role] for role in ("db", "app", "load"))

    def start(host_role: str, argv: list[str], **settings: str) -> Process:
        process = Process(
            net.hosts[host_role],
            argv,
            env=env(tmp_path, **settings),
            cwd=REPO,
            log=tmp_path / f"{host_role}-{len(started)}.log",
        )
        started.append(process)
        return process

    database = start(
        "db", make("db", "scripts.db"), BIND=db.address, PG_DATA_DIR=str(tmp_path / "pg")
    )
    database_url = database.value("DATABASE_URL", timeout=120)
    assert f"@{db.address}:" in database_url and "bench:" in database_url

    # A port of its own: the app host's run-time files go under .run/<app>-<port>/.
    serve = start(
        "app",
        make("serve", "scripts.serve"),
        APP="fastapi",
        BIND=app.address,
        NGINX_PORT=str(free_port()),
        DATABASE_URL=database_url,
        RESOURCES_PORT="9100",
    )
    base_url = serve.value("BASE_URL", timeout=180)
    resources_url = serve.value("RESOURCES_URL", timeout=10)
    assert base_url.startswith(f"http://{app.address}:")
    assert resources_url == f"http://{app.address}:9100"

    master = f"{load.address}:5557"
    workers = [
        start(role, make("loadgen-worker", "scripts.loadgen_worker"), MASTER=master)
        for role in ("load", "load2")
    ]
    results = tmp_path / "results"
    bench = start(
        "load",
        make("bench-fastapi", "scripts.bench", "fastapi"),
        TARGET_URL=base_url,
        DATABASE_URL=database_url,
        LOCUST_WORKERS="2",
        MASTER=master,
        APP_RESOURCES=resources_url,
        RESULTS_DIR=str(results),
        **RAMP,
    )
    assert bench.popen.wait(timeout=240) == 0, bench.tail()
    assert [worker.popen.wait(timeout=60) for worker in workers] == [0, 0]
    # Every run starts from the seed, on the database host, while the app keeps running.
    assert "'users': 8}" in bench.log.read_text().split("DATABASE_URL reseeded: ", 1)[1]
    (run_dir,) = results.glob("*/runs/*-fastapi")
    _check_run(run_dir, base_url)


def _check_run(run_dir: Path, base_url: str) -> None:
    assert not (run_dir / "INCOMPLETE").exists()
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["complete"] is True and meta["target_url"] == base_url
    assert meta["locust_workers"] == 2 and meta["stack"] is None
    assert (
        meta["command"].startswith("make bench-fastapi ")
        and f"TARGET_URL={base_url}" in meta["command"]
    )
    assert meta["app_resources"]["rows"] > 0 and "error" not in meta["app_resources"]

    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["complete"] is True and [s["users"] for s in summary["steps"]] == [2, 4]
    assert summary["invariants"]["ok"] is True  # checked on the database host, after the run
    for step in summary["steps"]:
        assert step["requests"] > 0 and step["failures"] == 0
        # The app host's own samples, merged by time; the database host recorded none.
        assert step["app_cpu_pct"] is not None and step["nginx_cpu_pct"] is not None
        assert step["db_cpu_pct"] is None
        assert step["loadgen_total_cpu_pct"] is not None
    assert "not measured" in (run_dir / "summary.md").read_text()

    # Every request of both workers is in the run folder, as Locust counted them.
    ledger = json.loads((run_dir / "raw" / "loadgen.json").read_text())
    workers = ledger["sources"]
    assert [w["name"] for w in workers] == ["worker-0", "worker-1"]
    assert len({w["pid"] for w in workers}) == 2
    for worker in workers:
        assert worker["final"] and worker["rows_sent"] == worker["rows_written"] > 0
    samples = load_samples(run_dir / "raw")
    assert len(samples) == ledger["rows_written"] == ledger["locust_requests"]
    assert summary["loadgen"]["workers"] == 2 and summary["loadgen"]["rows"] == len(samples)
