"""Stack settings from the environment: defaults, and one clear error per bad value."""

from __future__ import annotations

import pytest

from infra.config import stack_settings
from infra.envvars import ConfigError


def test_defaults() -> None:
    s = stack_settings({"APP": "django"})
    assert (s.app, s.nginx_port, s.app_port, s.pg_port) == ("django", 8000, 8001, 54329)
    assert s.database_url is None and s.envelope is None and s.workers is None
    assert (s.conn_max_age, s.pool_size, s.max_overflow) == (60, 10, 0)
    assert s.seed.products == 100 and s.seed.users == 1000
    assert s.run_dir.name == "django-8000"


def test_envelope_only_when_confined() -> None:
    s = stack_settings({"APP_CPUS": "0.5", "APP_MEM_MB": "256"}, app="fastapi", confine=True)
    assert s.envelope is not None
    assert (s.envelope.cpus, s.envelope.mem_mb) == (0.5, 256)


def test_values_are_read() -> None:
    env = {
        "APP": "fastapi",
        "NGINX_PORT": "9000",
        "WORKERS": "4",
        "DJANGO_CONN_MAX_AGE": "0",
        "DATABASE_URL": "postgresql://u:p@127.0.0.1:5432/db",
        "SEED_PRODUCTS": "7",
    }
    s = stack_settings(env)
    assert (s.nginx_port, s.workers, s.conn_max_age, s.seed.products) == (9000, 4, 0, 7)
    assert s.database_url == "postgresql://u:p@127.0.0.1:5432/db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP": "flask"}, "APP='flask'"),
        ({}, "APP=''"),
        ({"APP": "django", "NGINX_PORT": "80000"}, "NGINX_PORT='80000'"),
        ({"APP": "django", "NGINX_PORT": "x"}, "NGINX_PORT='x'"),
        ({"APP": "django", "WORKERS": "0"}, "WORKERS='0'"),
        ({"APP": "django", "DJANGO_CONN_MAX_AGE": "-1"}, "DJANGO_CONN_MAX_AGE='-1'"),
        ({"APP": "django", "DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must start"),
        ({"APP": "django", "SEED_PRODUCTS": "0"}, "SEED_PRODUCTS='0'"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        stack_settings(env)


@pytest.mark.parametrize(("cpus", "mem"), [("0", "512"), ("-1", "512"), ("1", "10"), ("x", "1")])
def test_bad_envelope(cpus: str, mem: str) -> None:
    with pytest.raises(ConfigError):
        stack_settings({"APP": "django", "APP_CPUS": cpus, "APP_MEM_MB": mem}, confine=True)
