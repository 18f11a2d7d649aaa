"""What one benchmark run of one app will do, decided before anything starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.appservers import APP_READERS, SERVER_READERS
from infra.config import stack_settings
from infra.settings import Settings
from infra.settings.kinds import ConfigError
from infra.settings.values import AutoRamp
from infra.stack import StackSettings

# Values that identify the deployment, not its configuration: never a variant label.
NOT_A_VARIANT = ("DATABASE_URL", "APP_SECRET_KEY")


@dataclass(frozen=True)
class BenchPlan:
    """One app's run: the settings in force, the stack to start (None with TARGET_URL)."""

    app: str
    settings: Settings
    stack: StackSettings | None
    variant: str | None
    results_dir: Path
    ui: bool = False

    @property
    def target_url(self) -> str | None:
        return self.settings.target_url

    def planned_seconds(self) -> float:
        return self.settings.planned_steps() * self.settings.step_seconds

    @property
    def auto_ramp(self) -> bool:
        return isinstance(self.settings.steps_ramp, AutoRamp)


def plan_run(settings: Settings, app: str, *, ui: bool = False) -> BenchPlan:
    """The plan for `app`; ConfigError (one line, naming the variable) when it cannot run."""
    check_topology(settings)
    stack = None
    if settings.target_url is None:
        stack = stack_settings(settings, app=app, confine=True)
    return BenchPlan(
        app=app,
        settings=settings,
        stack=stack,
        variant=variant_label(settings, app),
        results_dir=settings.results_dir,
        ui=ui,
    )


def check_topology(settings: Settings) -> None:
    """Where the load and the app run: settings that only make sense together."""
    workers, processes = settings.locust_workers, settings.locust_processes
    if workers and processes > 1:
        raise ConfigError(
            f"LOCUST_PROCESSES={processes} with LOCUST_WORKERS={workers}: the master runs no "
            "users; give each load host its processes (make loadgen-worker LOCUST_PROCESSES=n)"
        )
    if settings.app_resources is not None and settings.target_url is None:
        raise ConfigError(
            "APP_RESOURCES is for runs against TARGET_URL; without it the harness starts "
            "the stack and measures it itself"
        )


def variant_label(settings: Settings, app: str) -> str | None:
    """VARIANT, else `name=value,...` of every setting `app` reads that is off its default.

    So a run with DJANGO_CONN_MAX_AGE=0 is never mistaken for the default configuration,
    and DJANGO_CONN_MAX_AGE=060 (the default, typed differently) is not a variant.
    """
    if settings.variant is not None:
        return settings.variant
    readers = {*APP_READERS[app], *SERVER_READERS[app]}
    changed = settings.changed()
    parts = []
    for spec in settings.specs():
        if spec.name in NOT_A_VARIANT or spec.name not in changed:
            continue
        if readers & set(spec.readers):
            name = spec.name.lower().removeprefix("django_")
            parts.append(f"{name}={settings.shown(spec.name)}")
    return ",".join(parts) or None
