from __future__ import annotations

from pathlib import Path

import pytest

from scripts.harness.errors import HarnessError
from scripts.harness.resources import load_resources, resource_window
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
