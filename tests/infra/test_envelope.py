"""CPU placement: the app gets its own cores and everything else stays off them."""

from __future__ import annotations

import pytest

from infra.envelope import Envelope, plan_cores


@pytest.mark.parametrize(
    ("cores", "cpus", "app", "others", "shared"),
    [
        ([0, 1], 1.0, (1,), (0,), False),
        ([0, 1, 2, 3], 2.0, (2, 3), (0, 1), False),
        ([0, 1, 2, 3], 0.5, (3,), (0, 1, 2), False),
        ([0, 1], 1.5, (0, 1), (0, 1), True),
        ([0], 1.0, (0,), (0,), True),
        ([3, 1], 1.0, (3,), (1,), False),
    ],
)
def test_plan_cores(
    cores: list[int], cpus: float, app: tuple[int, ...], others: tuple[int, ...], shared: bool
) -> None:
    place = plan_cores(cores, cpus)
    assert (place.app_cores, place.other_cores, place.shared) == (app, others, shared)


def test_plan_needs_cores() -> None:
    with pytest.raises(ValueError, match="no CPU"):
        plan_cores([], 1.0)


@pytest.mark.parametrize(("cpus", "mem"), [(0.0, 512), (-1.0, 512), (1.0, 32)])
def test_envelope_rejects_nonsense(cpus: float, mem: int) -> None:
    with pytest.raises(ValueError, match="APP_"):
        Envelope(cpus=cpus, mem_mb=mem)
