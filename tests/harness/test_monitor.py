from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import psutil

from scripts.harness.monitor import ResourceMonitor
from scripts.harness.resources import RESOURCES_HEADER, load_resources

# A parent that idles while, after a moment, a child it starts burns CPU: the monitor only
# knows the parent's pid, so the child must be found as a late descendant.
PARENT = """
import subprocess, sys, time
time.sleep(0.3)
burn = "import time\\nend = time.time() + 1.2\\nwhile time.time() < end: pass"
subprocess.run([sys.executable, "-c", burn], check=True)
"""


def test_a_late_child_burning_cpu_is_counted_in_its_group(tmp_path: Path) -> None:
    path = tmp_path / "raw" / "resources.csv"
    parent = subprocess.Popen([sys.executable, "-c", PARENT])
    try:
        monitor = ResourceMonitor(
            path, {"loadgen": lambda: [parent.pid], "idle": lambda: []}, interval=0.2
        )
        with monitor:
            parent.wait(timeout=30)
            live = monitor.live()
    finally:
        parent.kill()
        parent.wait()

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == RESOURCES_HEADER
    loadgen = [r for r in rows if r["group"] == "loadgen"]
    busiest = [r for r in rows if r["group"] == "loadgen_max"]
    assert max(float(r["cpu_pct"]) for r in loadgen) > 0
    assert max(int(r["pid_count"]) for r in loadgen) == 2
    assert max(float(r["cpu_pct"]) for r in busiest) > 0
    assert {r["pid_count"] for r in busiest} <= {"0", "1"}
    assert all(float(r["rss_mb"]) > 0 for r in loadgen if r["pid_count"] != "0"), rows
    assert {(r["pid_count"], r["cpu_pct"], r["rss_mb"]) for r in rows if r["group"] == "idle"} == {
        ("0", "0.0", "0.0")
    }
    assert set(live) == {"loadgen", "loadgen_max", "idle", "cores"}
    # A group without a process measured nothing: it is not a reading of 0 %.
    assert set(load_resources(path)) == {"loadgen", "loadgen_max", "cores"}


def test_a_failing_group_callable_does_not_stop_the_others(tmp_path: Path) -> None:
    def broken() -> list[int]:
        raise FileNotFoundError("no pid file yet")

    path = tmp_path / "resources.csv"
    burner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.time() + 0.8\nwhile time.time() < end: pass",
        ]
    )
    try:
        with ResourceMonitor(path, {"app": broken, "db": lambda: [burner.pid]}, interval=0.2):
            burner.wait(timeout=30)
    finally:
        burner.kill()
        burner.wait()

    series = load_resources(path)
    assert max(series["db"].cpu_pct) > 0
    assert "app" not in series


# Like a PostgreSQL backend per request: many children, each gone long before the next tick.
SHORT_LIVED = """
import subprocess, sys, time
time.sleep(0.5)
burn = "import time\\nend = time.process_time() + 0.05\\nwhile time.process_time() < end: pass"
for _ in range(20):
    subprocess.run([sys.executable, "-c", burn], check=True)
time.sleep(1.5)
"""


def test_children_that_live_between_ticks_are_still_counted(tmp_path: Path) -> None:
    path = tmp_path / "resources.csv"
    parent = subprocess.Popen([sys.executable, "-c", SHORT_LIVED])
    try:
        with ResourceMonitor(path, {"db": lambda: [parent.pid]}, interval=1.0):
            parent.wait(timeout=60)
    finally:
        parent.kill()
        parent.wait()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["group"] == "db"]
    cpu_seconds = sum(float(r["cpu_pct"]) for r in rows) / 100  # one-second intervals
    # 20 children x (0.05 s burnt + interpreter start-up): at least the burnt second counts.
    assert cpu_seconds >= 1.0, rows


def test_the_cores_row_covers_the_cores_the_load_generator_may_use(tmp_path: Path) -> None:
    path = tmp_path / "resources.csv"
    burn = "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass"
    burner = subprocess.Popen([sys.executable, "-c", burn])
    try:
        psutil.Process(burner.pid).cpu_affinity([0])  # a load generator pinned to core 0
        with ResourceMonitor(path, {"loadgen": lambda: [burner.pid]}, interval=0.5):
            burner.wait(timeout=30)
    finally:
        burner.kill()
        burner.wait()
    series = load_resources(path)
    cores, loadgen = series["cores"], series["loadgen"]
    assert set(cores.pid_count) == {1}  # how many cores, not processes
    assert 0 < max(cores.rss_mb) < psutil.virtual_memory().total / 2**20
    # The core was at least as busy as the process pinned to it and, on average, not above
    # one core (the kernel books an idle core's time lazily: one interval may overshoot).
    assert max(cores.cpu_pct) >= 0.5 * max(loadgen.cpu_pct) > 0
    assert sum(cores.cpu_pct) / len(cores.cpu_pct) <= 105


def test_without_a_load_generator_the_cores_row_is_the_whole_machine(tmp_path: Path) -> None:
    path = tmp_path / "resources.csv"
    with ResourceMonitor(path, {"app": lambda: []}, interval=0.2):
        time.sleep(0.5)
    assert set(load_resources(path)["cores"].pid_count) == {psutil.cpu_count()}
    assert not ResourceMonitor(path, {}, host=False).live()
