"""Benchmark settings are checked before anything starts; the run is described exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.envvars import ConfigError
from scripts.harness.runner import bench_settings, command_line, locust_argv


def test_defaults_match_the_readme(tmp_path: Path) -> None:
    s = bench_settings({}, "fastapi", results_dir=tmp_path)
    assert str(s.load.ramp) == "40 50 60 70 80"
    assert (s.load.step_seconds, s.load.settle_seconds, s.load.slo_ms) == (60, 15, 100)
    assert (s.load.think.low, s.load.think.high) == (0.25, 0.75)
    assert s.stack is not None and s.stack.envelope is not None
    assert (s.stack.envelope.cpus, s.stack.envelope.mem_mb) == (1.0, 512)
    assert s.load_env["BENCH_USER_COUNT"] == "1000"
    assert s.planned_seconds() == 300
    assert s.variant is None and s.locust_processes == 1


def test_make_variables_reach_locust(tmp_path: Path) -> None:
    env = {
        "RAMP": "10 20",
        "STEP_SECONDS": "30",
        "SETTLE_SECONDS": "5",
        "THINK": "0.1",
        "SLO_MS": "50",
        "SEED_USERS": "7",
    }
    s = bench_settings(env, "django", results_dir=tmp_path)
    assert s.load_env["BENCH_RAMP"] == "10 20"
    assert s.load_env["BENCH_USER_COUNT"] == "7"
    assert (s.load.slo_ms, s.load.think.low, s.load.think.high) == (50, 0.1, 0.1)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAMP": "ten"}, "BENCH_RAMP='ten'"),
        ({"STEP_SECONDS": "0"}, "BENCH_STEP_SECONDS='0'"),
        ({"THINK": "2-1"}, "BENCH_THINK='2-1'"),
        ({"LOCUST_PROCESSES": "0"}, "LOCUST_PROCESSES='0'"),
        ({"TARGET_URL": "http://192.168.1.5:8000"}, "only loopback"),
        ({"APP_CPUS": "0"}, "APP_CPUS"),
    ],
)
def test_bad_settings_fail_before_anything_starts(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=message):
        bench_settings(env, "fastapi", results_dir=tmp_path)


def test_target_url_skips_the_stack(tmp_path: Path) -> None:
    s = bench_settings({"TARGET_URL": "http://127.0.0.1:9000"}, "fastapi", results_dir=tmp_path)
    assert s.stack is None and s.target_url == "http://127.0.0.1:9000"


@pytest.mark.parametrize(
    ("app", "env", "variant"),
    [
        ("django", {"DJANGO_CONN_MAX_AGE": "0"}, "conn_max_age=0"),
        ("django", {"DJANGO_CONN_MAX_AGE": "60"}, None),
        ("fastapi", {"DJANGO_CONN_MAX_AGE": "0"}, None),
        ("fastapi", {"VARIANT": "two-workers"}, "two-workers"),
    ],
)
def test_variant_labels(app: str, env: dict[str, str], variant: str | None, tmp_path: Path) -> None:
    assert bench_settings(env, app, results_dir=tmp_path).variant == variant


def test_command_line_reproduces_the_run() -> None:
    env = {
        "MAKE_TARGET": "bench-django",
        "RAMP": "40 50",
        "DJANGO_CONN_MAX_AGE": "0",
        "APP_SECRET_KEY": "s3cret",
        "DATABASE_URL": "postgresql://u:pw@127.0.0.1/db",
    }
    text = command_line(env, ["scripts/bench.py", "django"])
    assert text.startswith("make bench-django ")
    assert "RAMP='40 50'" in text and "DJANGO_CONN_MAX_AGE=0" in text
    assert "s3cret" not in text and "pw@" not in text
    assert command_line({}, ["x", "fastapi"]) == "python -m scripts.bench fastapi"


def test_locust_argv_headless_and_ui(tmp_path: Path) -> None:
    s = bench_settings({"LOCUST_PROCESSES": "2"}, "fastapi", results_dir=tmp_path)
    argv = locust_argv(s, host="http://127.0.0.1:8000", run_dir=tmp_path)
    assert "--headless" in argv and argv[argv.index("--processes") + 1] == "2"
    assert "--reset-stats" not in argv
    ui = bench_settings({}, "fastapi", ui=True, results_dir=tmp_path)
    argv = locust_argv(ui, host="http://127.0.0.1:8000", run_dir=tmp_path)
    assert "--headless" not in argv and argv[argv.index("--web-host") + 1] == "127.0.0.1"
