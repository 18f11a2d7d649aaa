from __future__ import annotations

import pytest

from scripts.harness.compare import ensure_comparable, method_differences
from scripts.harness.errors import HarnessError
from tests.harness._factory import base_meta


def test_runs_of_different_apps_with_the_same_method_are_comparable() -> None:
    django = base_meta("django", started_at="a", command="x")
    fastapi = base_meta("fastapi", started_at="b", variant="something")
    assert method_differences(django, fastapi) == []
    ensure_comparable([("d", django), ("f", fastapi)])


def test_equal_values_in_another_spelling_are_the_same_method() -> None:
    a = base_meta(slo_ms=100)
    b = base_meta(slo_ms=100.0)
    b["stack"]["envelope"]["requested"] = {"mem_mb": 512, "cpus": 1}
    assert method_differences(a, b) == []


def test_what_the_stack_applied_is_not_the_method() -> None:
    a, b = base_meta(), base_meta()
    b["stack"]["envelope"]["applied"] = {"method": "affinity", "app_cores": [1]}
    assert method_differences(a, b) == []


def test_every_method_difference_is_listed() -> None:
    a = base_meta()
    b = base_meta(ramp="auto:10", auto_ramp={"start": 10}, think={"text": "0.5-1.5"})
    b["stack"]["envelope"]["requested"] = {"cpus": 2, "mem_mb": 512}
    del b["stack"]["database"]
    assert method_differences(a, b) == [
        'ramp: [10, 20] != "auto:10"',
        'auto_ramp: null != {"start": 10}',
        'think: {"high_s": 1.0, "low_s": 1.0, "text": "1"} != {"text": "0.5-1.5"}',
        'stack.envelope.requested: {"cpus": 1.0, "mem_mb": 512} != {"cpus": 2, "mem_mb": 512}',
        'stack.database.seed: {"products": 100, "users": 1000} != (absent)',
    ]


def test_comparison_is_refused_naming_the_runs_and_differences() -> None:
    with pytest.raises(HarnessError, match=r"refusing to compare: a vs c: slo_ms: 100 != 200$"):
        ensure_comparable([("a", base_meta()), ("b", base_meta()), ("c", base_meta(slo_ms=200))])
