from __future__ import annotations

import random

import pytest

from infra.settings.values import ThinkTime, parse_think


@pytest.mark.parametrize(
    ("raw", "low", "high"),
    [("0.25-0.75", 0.25, 0.75), (" 1 - 2 ", 1.0, 2.0), ("0", 0.0, 0.0), ("0.5", 0.5, 0.5)],
)
def test_parse(raw: str, low: float, high: float) -> None:
    assert parse_think(raw) == ThinkTime(low, high)


@pytest.mark.parametrize("raw", ["", "-0.5", "1-", "a-b", "0.75-0.25", "1e3", "0.1-0.2-0.3"])
def test_parse_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_think(raw)


def test_uniform_samples_stay_within_bounds_and_vary() -> None:
    think = ThinkTime(0.25, 0.75)
    rng = random.Random(7)
    samples = [think.sample(rng) for _ in range(200)]
    assert all(0.25 <= s <= 0.75 for s in samples)
    assert len(set(samples)) > 100


def test_constant_and_zero() -> None:
    rng = random.Random(1)
    assert ThinkTime(0.5, 0.5).sample(rng) == 0.5
    assert ThinkTime(0, 0).sample(rng) == 0
    assert str(ThinkTime(0.5, 0.5)) == "0.5"
    assert str(ThinkTime(0.25, 0.75)) == "0.25-0.75"
