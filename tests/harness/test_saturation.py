"""A step whose load host ran out of CPU is flagged, and the flag names who used it."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.harness.resources import ResourceWindow
from scripts.harness.saturation import LoadHost, load_cores_busy_pct, load_host_saturation


def usage(**fields: Any) -> ResourceWindow:
    base: dict[str, Any] = {
        "app_cpu_pct": 95.0,
        "app_rss_mb": 100.0,
        "db_cpu_pct": 40.0,
        "nginx_cpu_pct": 20.0,
        "loadgen_cpu_pct": 35.0,
        "loadgen_here_cpu_pct": 33.0,
        "load_cores_cpu_pct": 95.0,  # the one core Locust, PostgreSQL and Nginx share
        "load_cores": 1,
    }
    return ResourceWindow(**(base | fields))


def meta_with(applied: dict[str, Any] | None) -> dict[str, Any]:
    return {"stack": {"envelope": {"applied": applied}}}


@pytest.mark.parametrize(
    ("meta", "host"),
    [
        ({"stack": None}, LoadHost(stack_here=False, app_beside=False)),
        (meta_with(None), LoadHost(stack_here=True, app_beside=True)),
        (meta_with({"app_cores": [1], "other_cores": [0]}), LoadHost(True, False)),
        # A machine too small to keep the others away: they share the app's cores.
        (meta_with({"app_cores": [0], "other_cores": [0]}), LoadHost(True, True)),
        (meta_with({"app_cores": [2, 3], "other_cores": [0, 1]}), LoadHost(True, False)),
    ],
)
def test_what_ran_beside_the_load_comes_from_meta(meta: dict[str, Any], host: LoadHost) -> None:
    assert LoadHost.from_meta(meta) == host


def test_the_core_beside_a_confined_app_saturated_names_each_part() -> None:
    reason = load_host_saturation(usage(), LoadHost(stack_here=True, app_beside=False))
    assert reason == (
        "load host saturated: the 1 core running the load 95 % busy (limit 90 %; in % of one "
        "core: Locust 33 %, PostgreSQL 40 %, Nginx 20 %, other 2 %)"
    )
    assert load_cores_busy_pct(usage()) == 95.0


def test_below_the_limit_or_unmeasured_is_not_saturated() -> None:
    confined = LoadHost(stack_here=True, app_beside=False)
    assert load_host_saturation(usage(load_cores_cpu_pct=85.0), confined) is None
    assert load_host_saturation(usage(load_cores_cpu_pct=None), confined) is None
    assert load_host_saturation(usage(load_cores=None), confined) is None
    assert load_cores_busy_pct(usage(load_cores=None)) is None


def test_a_load_host_without_the_stack_counts_only_its_own_parts() -> None:
    reason = load_host_saturation(
        usage(load_cores_cpu_pct=195.0, load_cores=2), LoadHost(stack_here=False, app_beside=False)
    )
    assert reason is not None
    assert "the 2 cores running the load 98 % busy" in reason
    assert "Locust 33 %, other 162 %" in reason
    assert "PostgreSQL" not in reason  # the database's figures come from other hosts


def test_a_shared_machine_counts_the_app_beside_the_load() -> None:
    reason = load_host_saturation(
        usage(load_cores_cpu_pct=190.0, load_cores=2), LoadHost(stack_here=True, app_beside=True)
    )
    assert reason is not None and "95 % busy" in reason and "the app 95 %" in reason
