from __future__ import annotations

from pathlib import Path

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.resources import load_resources, load_run_resources, resource_window
from tests.harness._factory import write_csv

HEADER = ["t", "group", "pid_count", "cpu_pct", "rss_mb"]


def test_window_averages_cpu_and_takes_peak_memory_and_peak_loadgen(tmp_path: Path) -> None:
    rows = [
        # t=10 is outside (10, 13]: the second before the window
        (10, "app", 2, 500, 900),
        (11, "app", 2, 40, 100),
        (12, "app", 2, 60, 120),
        (13, "app", 2, 80, 110),
        (14, "app", 2, 500, 900),
        (11, "db", 1, 10, 50),
        (13, "db", 1, 20, 50),
        (12, "nginx", 1, 5, 10),
        (11, "loadgen_max", 1, 30, 0),
        (12, "loadgen_max", 1, 91, 0),
        (14, "loadgen_max", 1, 99, 0),
        (12, "loadgen", 2, 150, 0),
    ]
    write_csv(tmp_path / "resources.csv", HEADER, reversed(rows))

    usage = resource_window(load_resources(tmp_path / "resources.csv"), 10, 13)

    assert usage.app_cpu_pct == 60
    assert usage.app_rss_mb == 120
    assert usage.db_cpu_pct == 15
    assert usage.nginx_cpu_pct == 5
    assert usage.loadgen_cpu_pct == 91


def test_groups_without_readings_in_the_window_are_none(tmp_path: Path) -> None:
    write_csv(tmp_path / "resources.csv", HEADER, [(100, "app", 1, 50, 100)])
    usage = resource_window(load_resources(tmp_path / "resources.csv"), 0, 10)
    assert usage.app_cpu_pct is None
    assert usage.app_rss_mb is None
    assert usage.loadgen_cpu_pct is None


def test_bad_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    (tmp_path / "resources.csv").write_text("t,group,pid_count,cpu_pct,rss_mb\n1,app,1,lots,3\n")
    with pytest.raises(HarnessError, match=r"resources.csv:2"):
        load_resources(tmp_path / "resources.csv")


def test_rows_without_a_process_are_not_measurements(tmp_path: Path) -> None:
    write_csv(
        tmp_path / "resources.csv",
        HEADER,
        [(1, "app", 0, 0.0, 0.0), (2, "app", 0, 0.0, 0.0), (1, "nginx", 1, 4.0, 9.0)],
    )
    series = load_resources(tmp_path / "resources.csv")
    assert set(series) == {"nginx"}
    usage = resource_window(series, 0, 5)
    assert (usage.app_cpu_pct, usage.app_rss_mb, usage.nginx_cpu_pct) == (None, None, 4.0)


def test_the_app_host_and_remote_workers_are_merged_by_time(tmp_path: Path) -> None:
    # This host: the Locust master and the one core it may use.
    write_csv(
        tmp_path / "resources.csv",
        HEADER,
        [
            *((t, "loadgen", 1, 2.0, 50.0) for t in (11, 12)),
            *((t, "loadgen_max", 1, 2.0, 50.0) for t in (11, 12)),
            *((t, "cores", 1, 60.0, 900.0) for t in (11, 12)),
            (12, "app", 0, 0.0, 0.0),  # the monitor had no app here
        ],
    )
    # The app host, a second off: its own `cores` must not pass for this machine's.
    write_csv(
        tmp_path / "resources-app-host.csv",
        HEADER,
        [(11.5, "app", 3, 70.0, 300.0), (12.5, "app", 3, 90.0, 310.0), (11.5, "cores", 4, 150, 1)],
    )
    # Two workers elsewhere, at their own seconds.
    write_csv(
        tmp_path / "resources-workers.csv",
        HEADER,
        [
            (11.2, "loadgen_worker_0", 1, 40.0, 80.0),
            (12.2, "loadgen_worker_0", 1, 60.0, 80.0),
            (11.7, "loadgen_worker_1", 1, 95.0, 80.0),
        ],
    )
    series = load_run_resources(tmp_path)
    assert set(series) == {
        "loadgen",
        "loadgen_max",
        "cores",
        "app",
        "app_host_cores",
        "loadgen_worker_0",
        "loadgen_worker_1",
    }
    usage = resource_window(series, 10, 13)
    assert (usage.app_cpu_pct, usage.app_rss_mb) == (80.0, 310.0)
    # Every Locust process: 2 here + 50 (worker 0's mean) + 95 (worker 1's).
    assert usage.loadgen_total_cpu_pct == 147.0 and usage.loadgen_here_cpu_pct == 2.0
    assert usage.loadgen_cpu_pct == 95.0  # the busiest single process, wherever it ran
    assert (usage.load_cores_cpu_pct, usage.load_cores) == (60.0, 1)


def test_a_run_folder_needs_its_own_monitor_file(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=r"resources\.csv: missing"):
        load_run_resources(tmp_path)
