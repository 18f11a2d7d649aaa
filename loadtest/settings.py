"""Load settings from BENCH_* environment variables, with documented defaults and loud errors."""

from __future__ import annotations

import functools
import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.envvars import ConfigError, EnvReader, Var, integer, number
from loadtest.think import ThinkTime, parse_think

# A step is only worth measuring when at least this share of it is steady state, i.e. not
# spent spawning users or settling after the spawn.
MIN_STEADY_FRACTION = 0.5
AUTO_GROWTH = 1.5
AUTO_MAX_FAILURE_RATIO = 0.01
PAGE_SIZE = 20


# A BENCH_* variable is invalid: the same error as every other setting of the project.
SettingsError = ConfigError


LOAD_VARS = (
    Var(
        "BENCH_RAMP",
        "40 50 60 70 80",
        "users per step, or 'auto' / 'auto:<start>' (+50 % per step until the SLO breaks)",
    ),
    Var("BENCH_AUTO_MAX_USERS", "2000", "auto ramp: never more users than this"),
    Var("BENCH_AUTO_MAX_STEPS", "12", "auto ramp: never more steps than this"),
    Var("BENCH_STEP_SECONDS", "60", "length of each step"),
    Var("BENCH_SETTLE_SECONDS", "15", "discarded after each step's spawn before measuring"),
    Var("BENCH_SPAWN_RATE", "10", "users started (or stopped) per second between steps"),
    Var("BENCH_THINK", "0.25-0.75", "pause after every request: 'low-high' uniform, or constant"),
    Var("BENCH_SLO_MS", "100", "latency SLO on the steady-state average, in ms"),
    Var("BENCH_SAMPLES_DIR", ".run/loadtest", "where samples-<pid>.csv and steps.jsonl go"),
    Var("BENCH_USER_COUNT", "1000", "seeded users bench-1..N@example.com to log in as"),
    Var("BENCH_USER_PASSWORD", "bench-password", "password of the seeded users"),
    Var("BENCH_PRODUCT_PAGES", "5", "product list offsets are drawn from the first N pages"),
    Var("BENCH_RUN_ID", "", "prefix of order numbers, [A-Za-z0-9_-]{1,40} (random when unset)"),
)
_DEFAULTS = {var.name: var.default for var in LOAD_VARS}
_RUN_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class FixedRamp:
    """Run every step, in order."""

    users: tuple[int, ...]

    def __str__(self) -> str:
        return " ".join(map(str, self.users))


@dataclass(frozen=True)
class AutoRamp:
    """Start at `start` users and grow by AUTO_GROWTH per step while the SLO holds."""

    start: int
    max_users: int
    max_steps: int

    def __str__(self) -> str:
        return f"auto:{self.start}"


Ramp = FixedRamp | AutoRamp


@dataclass(frozen=True)
class LoadSettings:
    ramp: Ramp
    step_seconds: float
    settle_seconds: float
    spawn_rate: float
    think: ThinkTime
    slo_ms: float
    samples_dir: Path
    user_count: int
    user_password: str
    product_pages: int
    run_id: str

    @property
    def max_users_change(self) -> int:
        """The largest change in users a step can absorb and still be steady for long enough."""
        return max_users_change(
            step_seconds=self.step_seconds,
            settle_seconds=self.settle_seconds,
            spawn_rate=self.spawn_rate,
        )

    def effective(self) -> dict[str, str]:
        """Every BENCH_* variable with the value in force, for the run's metadata."""
        ramp = self.ramp
        auto = ramp if isinstance(ramp, AutoRamp) else None
        return {
            "BENCH_RAMP": str(ramp),
            "BENCH_AUTO_MAX_USERS": str(auto.max_users)
            if auto
            else _DEFAULTS["BENCH_AUTO_MAX_USERS"],
            "BENCH_AUTO_MAX_STEPS": str(auto.max_steps)
            if auto
            else _DEFAULTS["BENCH_AUTO_MAX_STEPS"],
            "BENCH_STEP_SECONDS": f"{self.step_seconds:g}",
            "BENCH_SETTLE_SECONDS": f"{self.settle_seconds:g}",
            "BENCH_SPAWN_RATE": f"{self.spawn_rate:g}",
            "BENCH_THINK": str(self.think),
            "BENCH_SLO_MS": f"{self.slo_ms:g}",
            "BENCH_SAMPLES_DIR": str(self.samples_dir),
            "BENCH_USER_COUNT": str(self.user_count),
            "BENCH_USER_PASSWORD": self.user_password,
            "BENCH_PRODUCT_PAGES": str(self.product_pages),
            "BENCH_RUN_ID": self.run_id,
        }


def max_users_change(*, step_seconds: float, settle_seconds: float, spawn_rate: float) -> int:
    spare = step_seconds * (1 - MIN_STEADY_FRACTION) - settle_seconds
    return math.floor(spare * spawn_rate) if spare > 0 else 0


def load_settings(environ: Mapping[str, str] | None = None) -> LoadSettings:
    """Parse and cross-check every BENCH_* variable; raise SettingsError naming the culprit."""
    env = EnvReader(os.environ if environ is None else environ, LOAD_VARS)
    step_seconds = env.parse("BENCH_STEP_SECONDS", number(above=0), "a number of seconds > 0")
    settle_seconds = env.parse(
        "BENCH_SETTLE_SECONDS", number(at_least=0), "a number of seconds >= 0"
    )
    spawn_rate = env.parse("BENCH_SPAWN_RATE", number(above=0), "a number of users/s > 0")
    settings = LoadSettings(
        ramp=_ramp(env),
        step_seconds=step_seconds,
        settle_seconds=settle_seconds,
        spawn_rate=spawn_rate,
        think=env.parse("BENCH_THINK", parse_think, "'low-high' or a number of seconds >= 0"),
        slo_ms=env.parse("BENCH_SLO_MS", number(above=0), "a number of ms > 0"),
        samples_dir=Path(env.get("BENCH_SAMPLES_DIR")),
        user_count=env.parse("BENCH_USER_COUNT", integer(1), "an integer >= 1"),
        user_password=env.get("BENCH_USER_PASSWORD"),
        product_pages=env.parse("BENCH_PRODUCT_PAGES", integer(1), "an integer >= 1"),
        run_id=_run_id(env),
    )
    _check_ramp_fits(settings)
    return settings


@functools.cache
def current_settings() -> LoadSettings:
    """The process's settings, read once so every module (and forked worker) shares them."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise SystemExit(f"loadtest: {exc}") from None


def _ramp(env: EnvReader) -> Ramp:
    raw = env.get("BENCH_RAMP")
    max_users = env.parse("BENCH_AUTO_MAX_USERS", integer(1), "an integer >= 1")
    max_steps = env.parse("BENCH_AUTO_MAX_STEPS", integer(1), "an integer >= 1")
    if raw == "auto" or raw.startswith("auto:"):
        start_raw = raw.removeprefix("auto").removeprefix(":") or "40"
        try:
            start = integer(1)(start_raw)
        except ValueError:
            raise SettingsError(
                f"BENCH_RAMP={raw!r}: the auto start must be an integer >= 1"
            ) from None
        if start > max_users:
            raise SettingsError(f"BENCH_RAMP={raw!r} starts above BENCH_AUTO_MAX_USERS={max_users}")
        return AutoRamp(start=start, max_users=max_users, max_steps=max_steps)
    try:
        users = tuple(integer(1)(part) for part in raw.replace(",", " ").split())
    except ValueError:
        users = ()
    if not users:
        raise SettingsError(
            f"BENCH_RAMP={raw!r} is not a list of user counts >= 1 (e.g. '40 50 60'), "
            "'auto' or 'auto:<start>'"
        )
    return FixedRamp(users=users)


def _run_id(env: EnvReader) -> str:
    raw = env.get("BENCH_RUN_ID")
    if not raw:
        return secrets.token_hex(4)
    if _RUN_ID_RE.fullmatch(raw) is None:
        raise SettingsError(f"BENCH_RUN_ID={raw!r} is not 1-40 characters of [A-Za-z0-9_-]")
    return raw


def _check_ramp_fits(settings: LoadSettings) -> None:
    """Refuse ramps whose spawn and settle would leave less than half a step to measure."""
    limit = settings.max_users_change
    timing = (
        f"BENCH_STEP_SECONDS={settings.step_seconds:g}, "
        f"BENCH_SETTLE_SECONDS={settings.settle_seconds:g}, "
        f"BENCH_SPAWN_RATE={settings.spawn_rate:g}"
    )
    if limit < 1:
        raise SettingsError(
            f"BENCH_SETTLE_SECONDS must be under half of BENCH_STEP_SECONDS ({timing})"
        )
    ramp = settings.ramp
    steps = ramp.users if isinstance(ramp, FixedRamp) else (ramp.start,)
    previous = 0
    for index, users in enumerate(steps):
        if abs(users - previous) > limit:
            raise SettingsError(
                f"BENCH_RAMP step {index} changes users by {abs(users - previous)} but at most "
                f"{limit} fit in a step ({timing}); raise BENCH_SPAWN_RATE or BENCH_STEP_SECONDS"
            )
        previous = users
