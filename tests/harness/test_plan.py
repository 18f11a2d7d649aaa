"""A run is planned, its Locust command built and its metadata written before anything starts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from infra.settings import Settings
from infra.settings.kinds import ConfigError
from scripts.harness.locust_cmd import locust_argv, locust_env
from scripts.harness.plan import plan_run, variant_label
from scripts.harness.runmeta import command_line, initial_meta


def settings(**env: str) -> Settings:
    return Settings.from_env(env)


def test_defaults_match_the_readme() -> None:
    plan = plan_run(settings(), "fastapi")
    assert plan.stack is not None and plan.stack.envelope is not None
    assert (plan.stack.envelope.cpus, plan.stack.envelope.mem_mb) == (1.0, 512)
    assert plan.planned_seconds() == 150
    assert plan.variant is None and plan.target_url is None


def test_target_url_skips_the_stack_and_must_be_loopback() -> None:
    plan = plan_run(settings(TARGET_URL="http://127.0.0.1:9000"), "fastapi")
    assert plan.stack is None and plan.target_url == "http://127.0.0.1:9000"
    with pytest.raises(ConfigError, match="only loopback"):
        plan_run(settings(TARGET_URL="http://192.168.1.5:8000"), "fastapi")


@pytest.mark.parametrize(
    ("app", "env", "variant"),
    [
        ("django", {"DJANGO_CONN_MAX_AGE": "0"}, "conn_max_age=0"),
        ("django", {"DJANGO_CONN_MAX_AGE": "060"}, None),
        ("fastapi", {"DJANGO_CONN_MAX_AGE": "0"}, None),
        ("fastapi", {"DB_POOL_SIZE": "4"}, "db_pool_size=4"),
        ("fastapi", {"GUNICORN_THREADS": "4"}, None),
        ("django", {"GUNICORN_THREADS": "4", "WORKERS": "2"}, "workers=2,gunicorn_threads=4"),
        ("fastapi", {"VARIANT": "two-workers", "WORKERS": "2"}, "two-workers"),
        ("fastapi", {"RAMP": "10 20", "DATABASE_URL": "postgresql://x/y"}, None),
    ],
)
def test_variant_labels(app: str, env: dict[str, str], variant: str | None) -> None:
    assert variant_label(settings(**env), app) == variant


def test_locust_gets_every_load_setting_as_an_option_and_inherits_nothing(tmp_path: Path) -> None:
    plan = plan_run(settings(RAMP="10 20", THINK="0.1", SEED_USERS="7"), "django")
    argv = locust_argv(plan, host="http://127.0.0.1:8000", run_dir=tmp_path, run_id="r1")
    pairs = dict(itertools.pairwise(argv))
    assert pairs["--bench-ramp"] == "10 20" and pairs["--bench-think"] == "0.1"
    assert pairs["--bench-seed-users"] == "7" and pairs["--bench-run-id"] == "r1"
    assert pairs["--bench-settle-seconds"] == "auto"
    assert "--headless" in argv and "--reset-stats" not in argv and "--html" not in argv
    assert set(locust_env()) == {"PATH", "LC_ALL", "PYTHONPATH"}


def test_locust_processes_and_the_ui(tmp_path: Path) -> None:
    plan = plan_run(settings(LOCUST_PROCESSES="2"), "fastapi")
    argv = locust_argv(plan, host="http://127.0.0.1:8000", run_dir=tmp_path, run_id="r")
    assert argv[argv.index("--processes") + 1] == "2"
    ui = plan_run(settings(UI_PORT="9999"), "fastapi", ui=True)
    argv = locust_argv(ui, host="http://127.0.0.1:8000", run_dir=tmp_path, run_id="r")
    assert "--headless" not in argv and argv[argv.index("--web-port") + 1] == "9999"
    assert "--class-picker" in argv  # the stepped ramp or a user count of one's own


def test_command_line_reproduces_the_run_without_secrets() -> None:
    s = settings(
        MAKE_TARGET="bench-django",
        RAMP="40 50",
        DJANGO_CONN_MAX_AGE="0",
        APP_SECRET_KEY="s3cret" * 8,
        DATABASE_URL="postgresql://u:pw@127.0.0.1/db",
    )
    text = command_line(s, ["scripts/bench.py", "django"])
    assert text.startswith("make bench-django ")
    assert "RAMP='40 50'" in text and "DJANGO_CONN_MAX_AGE=0" in text
    assert "s3cret" not in text and "pw@" not in text
    assert command_line(settings(), ["x", "fastapi"]) == "python -m scripts.bench fastapi"


def test_meta_records_every_setting(tmp_path: Path) -> None:
    plan = plan_run(settings(STEP_SECONDS="30"), "fastapi")
    meta = initial_meta(plan, tmp_path, ["x", "fastapi"], "r1")
    assert meta["settings"]["STEP_SECONDS"] == "30" and meta["settle_seconds"] == 7.5
    assert meta["settings_set"] == ["STEP_SECONDS"]
    assert set(meta["settings"]) == {spec.name for spec in Settings.specs()}
