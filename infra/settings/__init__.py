"""Every setting of the project, declared once: name, kind, default, meaning, who reads it.

The fields of `Settings` are the table. `Settings.from_env` is the one place that reads
the environment; it parses every variable once into one typed object and checks them
together, naming the variable the user typed in every error. The README's settings
table, `make help`'s variable list (doc.py) and meta.json's record (`Settings.record`)
are all generated from these fields. The table is split by section (load.py, stack.py,
apps.py); declare.py says how a row is declared, kinds.py how values are parsed and shown.
Standard library only: `make help` imports it before anything is installed, and every
Locust process imports it.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from infra.settings.apps import AppVars
from infra.settings.declare import SPEC, VarSpec
from infra.settings.kinds import ConfigError, redact
from infra.settings.load import LoadVars
from infra.settings.stack import StackVars
from infra.settings.values import AutoRamp, FixedRamp, Ramp, ReasonError

__all__ = ["ConfigError", "Settings", "VarSpec", "max_users_change"]

# A step is only worth measuring when at least this share of it is steady state, i.e. not
# spent spawning users or settling after the spawn.
MIN_STEADY_FRACTION = 0.5
# ARRIVAL_USERS=auto: each user waits at least this long between two starts at the highest
# rate, five times the default SLO, so that a late start means a slow server.
OPEN_LOOP_USER_SECONDS = 0.5


@dataclass(frozen=True)
class Settings(AppVars, StackVars, LoadVars):
    """The whole table (sections in infra/settings/load.py, stack.py, apps.py), typed."""

    # The variables the user set (non-blank), as typed; not part of the table.
    explicit: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def specs(cls) -> tuple[VarSpec, ...]:
        """The table's rows, in declaration order."""
        return _table()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Parse and cross-check every variable (of os.environ by default); ConfigError names
        the first bad one."""
        if environ is None:
            environ = os.environ
        values: dict[str, Any] = {}
        explicit = set()
        for spec in cls.specs():
            typed = environ.get(spec.name, "").strip()
            if typed:
                explicit.add(spec.name)
            raw = typed or spec.default
            shown = "***" if spec.secret else raw
            try:
                values[spec.name.lower()] = spec.kind.parse(raw)
            except ReasonError as exc:
                raise ConfigError(f"{spec.name}={shown!r}: {exc}") from None
            except ValueError:
                raise ConfigError(f"{spec.name}={shown!r} is not {spec.kind.what}") from None
        settings = cls(**values, explicit=frozenset(explicit))
        settings.check()
        return settings

    @staticmethod
    def defaults_of(name: str) -> Any:
        """The typed default of one variable."""
        spec = spec_named(name)
        return spec.kind.parse(spec.default)

    @classmethod
    def defaults(cls) -> Settings:
        return cls.from_env({})

    @property
    def open_loop(self) -> bool:
        return self.arrival is not None

    @property
    def users_in_open_loop(self) -> int:
        """ARRIVAL_USERS in force: `auto` gives each user 0.5 s between starts at the top rate."""
        rates = self.arrival or (1.0,)
        return self.arrival_users or max(2, math.ceil(max(rates) * OPEN_LOOP_USER_SECONDS))

    @property
    def steps_ramp(self) -> Ramp:
        """The users of each step: RAMP, or in the open loop ARRIVAL_USERS held for every
        ARRIVAL step (the rate, not the users, changes from step to step)."""
        if self.arrival is None:
            return self.ramp
        return FixedRamp((self.users_in_open_loop,) * len(self.arrival))

    @property
    def settle(self) -> float:
        """SETTLE_SECONDS in force: `auto` is a quarter of the step."""
        return self.step_seconds / 4 if self.settle_seconds is None else self.settle_seconds

    @property
    def max_users_change(self) -> int:
        """The largest change in users a step can absorb and still be steady for long enough."""
        return max_users_change(
            step_seconds=self.step_seconds, settle_seconds=self.settle, spawn_rate=self.spawn_rate
        )

    def value(self, name: str) -> Any:
        return getattr(self, name.lower())

    def shown(self, name: str) -> str:
        """The value in force as text, as the user would type it."""
        spec = spec_named(name)
        return str(spec.kind.show(self.value(name)))

    def record(self) -> dict[str, str]:
        """Every variable with the value in force, for meta.json; secrets never appear."""
        out = {}
        for spec in self.specs():
            text = self.shown(spec.name)
            if spec.secret and text:
                text = redact(text) if "://" in text else "***"
            out[spec.name] = text
        return out

    def changed(self) -> list[str]:
        """Variables whose value differs from the default (`060` is the default `60`)."""
        default = self.defaults()
        return [s.name for s in self.specs() if self.value(s.name) != default.value(s.name)]

    def env_for(self, reader: str) -> dict[str, str]:
        """NAME=value of every variable `reader` reads, for a child process's environment."""
        return {s.name: self.shown(s.name) for s in self.specs() if reader in s.readers}

    def check(self) -> None:
        """Cross-checks between variables; ConfigError names the ones to change."""
        step = f"STEP_SECONDS={self.step_seconds:g}"
        if self.settle >= self.step_seconds * MIN_STEADY_FRACTION:
            raise ConfigError(
                f"SETTLE_SECONDS={self.settle:g} must be under half of {step}: "
                "lower SETTLE_SECONDS or raise STEP_SECONDS"
            )
        limit = self.max_users_change
        timing = f"{step}, SETTLE_SECONDS={self.settle:g}, SPAWN_RATE={self.spawn_rate:g}"
        if limit < 1:
            raise ConfigError(
                f"no user fits in a step's spawn time ({timing}); raise SPAWN_RATE or STEP_SECONDS"
            )
        ramp = self.steps_ramp
        steps = ramp.users if isinstance(ramp, FixedRamp) else (ramp.start,)
        previous = 0
        for index, users in enumerate(steps, start=1):
            if abs(users - previous) > limit and self.open_loop:
                raise ConfigError(
                    f"{users} open-loop users (ARRIVAL_USERS) take longer to start than a step "
                    f"allows ({timing}); raise SPAWN_RATE to at least "
                    f"{math.ceil(users / (self.step_seconds / 2 - self.settle))}"
                )
            if abs(users - previous) > limit:
                raise ConfigError(
                    f"RAMP step {index} changes users by {abs(users - previous)}, but at most "
                    f"{limit} fit in a step ({timing}); raise SPAWN_RATE or STEP_SECONDS"
                )
            previous = users
        if isinstance(ramp, AutoRamp) and ramp.start > self.auto_max_users:
            raise ConfigError(f"RAMP={ramp} starts above AUTO_MAX_USERS={self.auto_max_users}")
        if self.open_loop and self.profile:
            raise ConfigError("PROFILE=1 profiles a step of RAMP; it does not run with ARRIVAL")
        if self.open_loop and self.ramp != self.defaults_of("RAMP"):
            raise ConfigError("RAMP and ARRIVAL exclude each other: ARRIVAL sets the steps")
        from infra.appservers import APPS  # the registry imports this module

        if self.app not in APPS:
            raise ConfigError(f"APP={self.app!r} must be one of: {', '.join(APPS)}")
        unknown = [app for app in self.matrix_apps or () if app not in APPS]
        if unknown:
            raise ConfigError(
                f"MATRIX_APPS names {', '.join(unknown)}; the apps are: {', '.join(APPS)}"
            )
        if self.app_secret_key is not None and len(self.app_secret_key) < 32:
            raise ConfigError("APP_SECRET_KEY must be at least 32 characters")

    def planned_steps(self) -> int:
        """Steps the ramp will run at most, the profiled encore included."""
        ramp = self.steps_ramp
        steps = self.auto_max_steps if isinstance(ramp, AutoRamp) else len(ramp.users)
        return steps + (1 if self.profile else 0)


def max_users_change(*, step_seconds: float, settle_seconds: float, spawn_rate: float) -> int:
    spare = step_seconds * (1 - MIN_STEADY_FRACTION) - settle_seconds
    return math.floor(spare * spawn_rate) if spare > 0 else 0


@functools.cache
def _table() -> tuple[VarSpec, ...]:
    return tuple(
        replace(f.metadata[SPEC], name=f.name.upper())
        for f in fields(Settings)
        if SPEC in f.metadata
    )


def spec_named(name: str) -> VarSpec:
    """The row of variable `name`; KeyError when the table has none."""
    for spec in _table():
        if spec.name == name:
            return spec
    raise KeyError(name)
