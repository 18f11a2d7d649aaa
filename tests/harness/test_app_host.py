"""The app host's resource samples: recorded and served there, copied into a run folder here."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from infra.ports import PortInUseError, free_port
from infra.settings.kinds import ConfigError
from scripts.harness.app_host import collect, probe, recording, rows_between
from scripts.harness.resources import APP_HOST_FILE, load_run_resources
from tests.harness._factory import write_csv

HEADER = ["t", "group", "pid_count", "cpu_pct", "rss_mb"]


def test_rows_between_keeps_the_span_and_skips_damaged_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_csv(path, HEADER, [(9, "app", 1, 5, 1), (10, "app", 1, 6, 1), (12, "app", 1, 7, 1)])
    with path.open("a") as handle:
        handle.write("half a line\n")
    assert rows_between(path, 10, 12).splitlines() == [
        ",".join(HEADER),
        "10,app,1,6,1",
        "12,app,1,7,1",
    ]
    assert rows_between(tmp_path / "none.csv", 0, 1) == ",".join(HEADER) + "\n"


def test_the_app_host_serves_its_samples_and_the_load_host_copies_the_run(
    tmp_path: Path,
) -> None:
    burner = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.time() + 3\nwhile time.time() < end: pass"]
    )
    path, port = tmp_path / "app-host" / "resources.csv", free_port()
    try:
        with recording(path, {"app": lambda: [burner.pid]}, bind="127.0.0.1", port=port) as url:
            assert url == f"http://127.0.0.1:{port}"
            since = time.time()
            burner.wait(timeout=30)
            until = time.time()
            probe(url)
            raw = tmp_path / "raw"
            raw.mkdir()
            record = collect(url, raw, since=since, until=until)
            assert abs(httpx.get(f"{url}/clock").json()["now"] - time.time()) < 5
            assert httpx.get(f"{url}/nothing").status_code == 404
            assert httpx.get(f"{url}/resources.csv?since=soon").status_code == 400
    finally:
        burner.kill()
        burner.wait()
    assert record["source"] == url and record["file"] == APP_HOST_FILE and record["rows"] > 0
    assert abs(record["clock_offset_s"]) < 1
    write_csv(raw / "resources.csv", HEADER, [])
    series = load_run_resources(raw)
    assert max(series["app"].cpu_pct) > 0
    assert "app_host_cores" in series and "cores" not in series


def test_a_file_on_a_shared_disk_works_as_well(tmp_path: Path) -> None:
    source = tmp_path / "shared.csv"
    write_csv(source, HEADER, [(100, "app", 2, 50, 300), (500, "app", 2, 60, 300)])
    raw = tmp_path / "raw"
    raw.mkdir()
    probe(str(source))
    record = collect(str(source), raw, since=99, until=101)
    assert record == {"source": str(source), "file": APP_HOST_FILE, "rows": 1}
    assert (raw / APP_HOST_FILE).read_text().splitlines()[1] == "100,app,2,50,300"


def test_unreadable_sources_fail_early_and_late_ones_are_recorded(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(
        ConfigError, match=r"APP_RESOURCES='http://127\.0\.0\.1:\d+' cannot be read"
    ):
        probe(closed)
    with pytest.raises(ConfigError, match="cannot be read: no file"):
        probe(str(tmp_path / "missing.csv"))
    record = collect(closed, tmp_path, since=0, until=1)
    assert record["file"] is None and "refused" in record["error"].lower()
    assert not (tmp_path / APP_HOST_FILE).exists()


def test_a_taken_resources_port_is_named(tmp_path: Path) -> None:
    port = free_port()
    with (
        recording(tmp_path / "a.csv", {}, bind="127.0.0.1", port=port),
        pytest.raises(PortInUseError, match=f"RESOURCES_PORT={port} on 127.0.0.1"),
        recording(tmp_path / "b.csv", {}, bind="127.0.0.1", port=port),
    ):
        pass
