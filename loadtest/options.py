"""The load settings as Locust's own command-line options, one per row of the settings table.

Every variable of infra/settings.py that Locust reads becomes `--bench-<name>` (RAMP ->
`--bench-ramp`). Locust's master sends its custom options to every worker with each spawn
message, so workers on other machines run with the master's settings without being told.
The harness passes them explicitly; standalone, `locust -f loadtest/locustfile.py --help`
lists them with their defaults. Nothing here imports Locust.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.settings import Settings
from infra.settings.declare import LOCUST, VarSpec
from infra.settings.kinds import ConfigError

RUN_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
DEFAULT_SAMPLES_DIR = ".run/loadtest"


def option(spec: VarSpec) -> str:
    """The Locust option of a settings variable: RAMP -> --bench-ramp."""
    return "--bench-" + spec.name.lower().replace("_", "-")


def load_specs() -> list[VarSpec]:
    return [spec for spec in Settings.specs() if LOCUST in spec.readers]


def add_arguments(parser: Any) -> None:
    """Declare the options on Locust's parser (the `init_command_line_parser` event)."""
    # Locust's own parser, not an argument group: only it takes `include_in_web_ui`.
    for spec in load_specs():
        parser.add_argument(
            option(spec), default=spec.default, help=f"{spec.name}: {spec.help.replace('%', '%%')}"
        )
    parser.add_argument(
        "--bench-run-id",
        default="",
        help="prefix of order numbers, [A-Za-z0-9_-]{1,40} (random when unset)",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--bench-samples-dir",
        default=DEFAULT_SAMPLES_DIR,
        help="where samples-<pid>.csv and steps.jsonl go",
        include_in_web_ui=False,
    )


@dataclass(frozen=True)
class LoadRun:
    """The settings in force plus what identifies this run."""

    settings: Settings
    run_id: str
    samples_dir: Path


def from_options(options: Any) -> LoadRun:
    """Parse Locust's option values; ConfigError names the variable (RAMP, not --bench-ramp)."""
    values = tuple(
        (spec.name, str(getattr(options, option(spec)[2:].replace("-", "_"), "") or ""))
        for spec in load_specs()
    )
    return _parse(
        values,
        str(getattr(options, "bench_run_id", "") or ""),
        str(getattr(options, "bench_samples_dir", "") or DEFAULT_SAMPLES_DIR),
    )


@functools.cache
def _parse(values: tuple[tuple[str, str], ...], run_id: str, samples_dir: str) -> LoadRun:
    # Cached on the values, not the options object: a worker's options change in place
    # when the master's arrive.
    if not run_id:
        run_id = secrets.token_hex(4)
    elif RUN_ID_RE.fullmatch(run_id) is None:
        raise ConfigError(f"--bench-run-id={run_id!r} is not 1-40 characters of [A-Za-z0-9_-]")
    return LoadRun(Settings.from_env(dict(values)), run_id, Path(samples_dir))
