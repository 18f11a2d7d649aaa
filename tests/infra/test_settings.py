"""The settings table: parsed once, errors in the user's words, generated docs in sync."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra.settings import Settings
from infra.settings.doc import README_END, README_START, help_lines, replace_readme_section
from infra.settings.kinds import ConfigError
from infra.settings.values import AutoRamp, FixedRamp, ThinkTime

REPO = Path(__file__).resolve().parents[2]


def test_every_default_parses_and_defaults_are_the_documented_ones() -> None:
    s = Settings.defaults()
    assert s.ramp == FixedRamp((40, 50, 60, 70, 80))
    assert (s.step_seconds, s.settle, s.spawn_rate, s.slo_ms, s.trials) == (30, 7.5, 10, 100, 3)
    assert s.think == ThinkTime(0.25, 0.75)
    assert (s.app_cpus, s.app_mem_mb, s.seed_users, s.django_conn_max_age) == (1, 512, 1000, 60)
    assert s.target_url is None and s.database_url is None and s.workers is None
    assert s.explicit == frozenset() and s.changed() == []


def test_blank_values_fall_back_to_defaults_and_are_not_explicit() -> None:
    s = Settings.from_env({"RAMP": "  ", "SLO_MS": ""})
    assert s.slo_ms == 100 and s.explicit == frozenset()


def test_values_are_typed_and_remembered_as_set() -> None:
    s = Settings.from_env({"RAMP": "auto:25", "THINK": "0.5", "WORKERS": "4", "SEED_USERS": "7"})
    assert s.ramp == AutoRamp(25)
    assert s.think == ThinkTime(0.5, 0.5)
    assert (s.workers, s.seed_users) == (4, 7)
    assert s.explicit == {"RAMP", "THINK", "WORKERS", "SEED_USERS"}


def test_a_value_typed_differently_is_still_the_default() -> None:
    s = Settings.from_env({"DJANGO_CONN_MAX_AGE": "060", "STEP_SECONDS": "30.0"})
    assert s.changed() == []
    assert Settings.from_env({"DJANGO_CONN_MAX_AGE": "0"}).changed() == ["DJANGO_CONN_MAX_AGE"]


def test_settle_scales_with_the_step_unless_set() -> None:
    assert Settings.from_env({"STEP_SECONDS": "30"}).settle == 7.5
    assert Settings.from_env({"STEP_SECONDS": "30", "SETTLE_SECONDS": "2"}).settle == 2


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SEED_USERS": "abc"}, "SEED_USERS='abc' is not a whole number from 1 to 10000000"),
        ({"RAMP": "ten"}, "RAMP='ten' is not a list of user counts"),
        ({"RAMP": "40 0"}, "RAMP='40 0' is not"),
        ({"RAMP": "auto:x"}, "RAMP='auto:x' is not"),
        ({"THINK": "2-1"}, "THINK='2-1': low must not exceed high"),
        ({"THINK": "soon"}, "THINK='soon' is not 'low-high'"),
        ({"STEP_SECONDS": "nan"}, "STEP_SECONDS='nan' is not a number > 0"),
        ({"STEP_SECONDS": "0"}, "STEP_SECONDS='0' is not a number > 0"),
        ({"SETTLE_SECONDS": "-1"}, "SETTLE_SECONDS='-1' is not 'auto' or a number >= 0"),
        ({"NGINX_PORT": "80000"}, "NGINX_PORT='80000' is not a whole number from 1 to 65535"),
        ({"WORKERS": "0"}, "WORKERS='0' is not 'auto' or a whole number from 1 to 1024"),
        ({"GUNICORN_WORKER_CLASS": "gevent"}, "GUNICORN_WORKER_CLASS='gevent' is not"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL='***' is not a postgresql://"),
        ({"TARGET_URL": "ftp://x"}, "TARGET_URL='ftp://x' is not an http://"),
        ({"APP": "flask"}, "APP='flask' must be one of: django, fastapi"),
        ({"APP_CPUS": "0"}, "APP_CPUS='0' is not a number > 0"),
        ({"VARIANT": "has space"}, "VARIANT='has space' is not"),
        ({"APP_SECRET_KEY": "short"}, "APP_SECRET_KEY must be at least 32 characters"),
        ({"SETTLE_SECONDS": "15"}, "SETTLE_SECONDS=15 must be under half of STEP_SECONDS=30"),
        ({"RAMP": "auto:60", "AUTO_MAX_USERS": "50"}, "RAMP=auto:60 starts above AUTO_MAX_USERS"),
        ({"BIND": "app-host"}, "BIND='app-host' is not an IP address"),
        ({"BIND": "10.0.0.300"}, "BIND='10.0.0.300' is not an IP address"),
        ({"MASTER": "10.0.0.1"}, "MASTER='10.0.0.1' is not host:port"),
        ({"MASTER": "10.0.0.1:0"}, "MASTER='10.0.0.1:0' is not host:port"),
        ({"MASTER": "bad host:5557"}, "MASTER='bad host:5557' is not host:port"),
        ({"LOCUST_WORKERS": "-1"}, "LOCUST_WORKERS='-1' is not a whole number from 0 to 1024"),
        ({"APP_RESOURCES": "ftp://x/y"}, "APP_RESOURCES='ftp://x/y' is not an http:// URL"),
        ({"RESOURCES_PORT": "http"}, "RESOURCES_PORT='http' is not a whole number from 1"),
    ],
)
def test_errors_name_the_variable_the_user_typed(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value) and "BENCH_" not in str(caught.value)


def test_topology_values_are_typed() -> None:
    s = Settings.from_env(
        {
            "BIND": "10.231.0.2",
            "MASTER": "[::1]:6000",
            "LOCUST_WORKERS": "2",
            "TARGET_URL": "http://10.231.0.2:8000/",
            "APP_RESOURCES": "shared/app-resources.csv",
            "RESOURCES_OUT": "run/r.csv",
            "RESOURCES_PORT": "9100",
        }
    )
    assert (s.bind, s.locust_workers, s.resources_port) == ("10.231.0.2", 2, 9100)
    assert (s.master.host, s.master.port, str(s.master)) == ("::1", 6000, "[::1]:6000")
    assert s.target_url == "http://10.231.0.2:8000"
    assert s.app_resources == "shared/app-resources.csv" and str(s.resources_out) == "run/r.csv"
    assert Settings.from_env({"MASTER": "*:5557"}).master.host == "*"
    assert (
        Settings.from_env({"APP_RESOURCES": "http://app:9100/"}).app_resources == "http://app:9100"
    )
    defaults = Settings.defaults()
    assert (defaults.bind, str(defaults.master), defaults.locust_workers) == (
        "127.0.0.1",
        "127.0.0.1:5557",
        0,
    )
    assert defaults.resources_out is None and defaults.resources_port is None


def test_a_step_whose_spawn_would_eat_the_step_is_refused_with_what_to_change() -> None:
    # (60 / 2 - 15) s * 10 users/s = 150 users is the most one step can add.
    minute = {"STEP_SECONDS": "60", "SETTLE_SECONDS": "15"}
    assert Settings.from_env({**minute, "RAMP": "150 300"}).max_users_change == 150
    with pytest.raises(ConfigError, match=r"RAMP step 2 changes users by 151.*raise SPAWN_RATE"):
        Settings.from_env({**minute, "RAMP": "150 301"})
    with pytest.raises(ConfigError, match="RAMP step 1 changes users by 151"):
        Settings.from_env({**minute, "RAMP": "auto:151"})
    wide = {**minute, "RAMP": "151", "SPAWN_RATE": "20"}
    assert Settings.from_env(wide).ramp == FixedRamp((151,))


def test_the_record_has_every_variable_and_no_secret() -> None:
    s = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u:pw@127.0.0.1:5432/db",
            "APP_SECRET_KEY": "k" * 40,
        }
    )
    record = s.record()
    assert list(record) == [spec.name for spec in Settings.specs()]
    assert record["DATABASE_URL"] == "postgresql://u:***@127.0.0.1:5432/db"
    assert record["APP_SECRET_KEY"] == "***"
    assert record["RAMP"] == "40 50 60 70 80" and record["SETTLE_SECONDS"] == "auto"


def test_env_for_a_reader_holds_only_what_it_reads() -> None:
    env = Settings.from_env({"DJANGO_CONN_MAX_AGE": "0"}).env_for("Django apps")
    assert env == {"DJANGO_CONN_MAX_AGE": "0"}


def test_the_readme_settings_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert README_START in readme and README_END in readme
    assert replace_readme_section(readme) == readme, "README settings table is stale: make docs"
    for spec in Settings.specs():
        assert f"| `{spec.name}` |" in readme


def test_make_help_lists_every_variable_from_the_table() -> None:
    done = subprocess.run(
        ["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert help_lines() in done.stdout
    listed = set(re.findall(r"^  ([A-Z][A-Z0-9_]+)=", done.stdout, re.MULTILINE))
    assert listed == {spec.name for spec in Settings.specs()}


def test_only_the_settings_module_reads_the_environment() -> None:
    """The apps' own settings and gunicorn's config aside."""
    allowed = re.compile(
        r"infra/settings/__init__\.py|infra/gunicorn\.conf\.py|\w+_app/(settings|wsgi|asgi)\.py"
    )
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    readers = {
        name
        for name in tracked
        if not name.startswith("tests/")
        and re.search(r"os\.environ|getenv", (REPO / name).read_text(encoding="utf-8"))
    }
    assert [name for name in sorted(readers) if not allowed.fullmatch(name)] == []


def test_the_module_stays_importable_without_the_project_dependencies() -> None:
    """`make help` runs it with the system Python, before anything is installed."""
    code = (
        "import sys, infra.settings.doc; "
        "print(sorted(set(sys.modules) & {'psycopg', 'psutil', 'locust', 'gevent'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_open_loop_runs_arrival_users_through_one_step_per_rate() -> None:
    s = Settings.from_env({"ARRIVAL": "50, 100 150", "SPAWN_RATE": "20"})
    assert s.open_loop and s.arrival == (50.0, 100.0, 150.0)
    assert s.users_in_open_loop == 75  # one user per 0.5 s of the highest rate
    assert s.steps_ramp == FixedRamp((75, 75, 75)) and s.planned_steps() == 3
    assert Settings.from_env({"ARRIVAL": "40", "ARRIVAL_USERS": "8"}).steps_ramp == FixedRamp((8,))
    assert not Settings.defaults().open_loop


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ARRIVAL": "50 0"}, "ARRIVAL='50 0' is not a list of request rates > 0"),
        ({"ARRIVAL": "10", "RAMP": "5 10"}, "RAMP and ARRIVAL exclude each other"),
        ({"ARRIVAL": "10", "PROFILE": "1"}, "PROFILE=1 profiles a step of RAMP"),
        ({"ARRIVAL": "300"}, "150 open-loop users (ARRIVAL_USERS) take longer to start"),
        ({"PROFILE": "maybe"}, "PROFILE='maybe' is not 1 or 0"),
    ],
)
def test_open_loop_and_profile_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Settings.from_env(env)


def test_profile_flags_parse_like_a_person_types_them() -> None:
    assert Settings.from_env({"PROFILE": "yes"}).profile is True
    assert Settings.from_env({"PROFILE": "Off"}).profile is False
    profiled = Settings.from_env({"PROFILE": "1", "RAMP": "10 20"})
    assert profiled.planned_steps() == 3  # the encore after the ramp
