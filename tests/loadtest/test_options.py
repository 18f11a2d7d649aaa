"""Load settings reach Locust as its own options and come back typed, in the user's words."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from infra.settings import Settings
from infra.settings.declare import LOCUST
from infra.settings.kinds import ConfigError
from infra.settings.values import FixedRamp, ThinkTime
from loadtest.options import DEFAULT_SAMPLES_DIR, from_options, load_specs, option


class _Parser(argparse.ArgumentParser):
    """Locust's parser takes `include_in_web_ui`; argparse does not."""

    def add_argument(self, *args: Any, include_in_web_ui: bool = True, **kwargs: Any) -> Any:
        return super().add_argument(*args, **kwargs)


def parse(*argv: str) -> argparse.Namespace:
    from loadtest.options import add_arguments

    parser = _Parser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_the_options_are_the_table_rows_locust_reads() -> None:
    names = {spec.name for spec in load_specs()}
    assert names == {s.name for s in Settings.specs() if LOCUST in s.readers}
    assert {"RAMP", "THINK", "SLO_MS", "SEED_USERS", "PRODUCT_PAGES"} <= names
    assert option(next(s for s in load_specs() if s.name == "STEP_SECONDS")) == (
        "--bench-step-seconds"
    )


def test_defaults_come_from_the_table() -> None:
    run = from_options(parse())
    assert run.settings.ramp == FixedRamp((40, 50, 60, 70, 80))
    assert run.settings.think == ThinkTime(0.25, 0.75)
    assert run.samples_dir == Path(DEFAULT_SAMPLES_DIR)
    assert len(run.run_id) == 8


def test_values_are_parsed_like_the_harness_parses_them(tmp_path: Path) -> None:
    run = from_options(
        parse(
            "--bench-ramp",
            "5 10",
            "--bench-think",
            "0.1",
            "--bench-seed-users",
            "7",
            "--bench-run-id",
            "run_1",
            "--bench-samples-dir",
            str(tmp_path),
        )
    )
    assert run.settings.ramp == FixedRamp((5, 10))
    assert (run.settings.seed_users, run.run_id, run.samples_dir) == (7, "run_1", tmp_path)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--bench-ramp", "ten"), "RAMP='ten' is not"),
        (("--bench-think", "2-1"), "THINK='2-1': low must not exceed high"),
        (("--bench-run-id", "has space"), "--bench-run-id='has space'"),
    ],
)
def test_errors_name_the_variable(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_options(parse(*argv))


def test_a_workers_options_changed_in_place_are_read_again() -> None:
    options = SimpleNamespace(**vars(parse()))
    assert from_options(options).settings.slo_ms == 100
    options.bench_slo_ms = "50"  # what a worker's options look like once the master's arrive
    assert from_options(options).settings.slo_ms == 50
