"""The table, part one: the load and how it is measured."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infra.settings import kinds
from infra.settings.declare import BENCH, LOAD, LOCUST, RUN, WORKER, var
from infra.settings.values import Endpoint, Ramp, ThinkTime


@dataclass(frozen=True)
class LoadVars:
    ramp: Ramp = var(
        "40 50 60 70 80",
        kinds.ramp(),
        "users per step, or `auto` / `auto:<start>` (+50 % a step until the SLO breaks)",
        readers=RUN,
        section=LOAD,
    )
    step_seconds: float = var(
        "30", kinds.number(above=0), "how long each step is held", readers=RUN, section=LOAD
    )
    settle_seconds: float | None = var(
        "auto",
        kinds.auto_or(kinds.number(at_least=0)),
        "left out at the start of each step, after the spawn; `auto` = a quarter of the step",
        readers=RUN,
        section=LOAD,
    )
    spawn_rate: float = var(
        "10",
        kinds.number(above=0),
        "users started (or stopped) per second between steps",
        readers=RUN,
        section=LOAD,
    )
    arrival: tuple[float, ...] | None = var(
        "",
        kinds.optional(kinds.rates()),
        "open loop instead of RAMP: target req/s per step; each request starts on schedule "
        "and a late one's latency counts from when it should have started",
        readers=RUN,
        section=LOAD,
    )
    arrival_users: int | None = var(
        "auto",
        kinds.auto_or(kinds.integer(2, 100_000)),
        "users sharing the open-loop rate; `auto` = one per 0.5 s of the highest rate",
        readers=RUN,
        section=LOAD,
    )
    think: ThinkTime = var(
        "0.25-0.75",
        kinds.think(),
        "pause after every request, in seconds: `low-high` uniform, or a constant",
        readers=RUN,
        section=LOAD,
    )
    slo_ms: float = var(
        "100",
        kinds.number(above=0),
        "latency SLO on a step's steady-state average, in ms",
        readers=RUN,
        section=LOAD,
    )
    auto_max_users: int = var(
        "2000", kinds.integer(1), "`RAMP=auto`: never more users", readers=RUN, section=LOAD
    )
    auto_max_steps: int = var(
        "12", kinds.integer(1), "`RAMP=auto`: never more steps", readers=RUN, section=LOAD
    )
    product_pages: int = var(
        "5",
        kinds.integer(1),
        "the product list offsets users draw from span this many pages",
        readers=(LOCUST,),
        section=LOAD,
    )
    trials: int = var(
        "3",
        kinds.integer(1, 100),
        "runs of each app, interleaved (A B, then B A, ...); medians and 95 % intervals over them",
        readers=(BENCH,),
        section=LOAD,
    )
    matrix_apps: tuple[str, ...] | None = var(
        "auto",
        kinds.auto_or(kinds.names()),
        "the apps `make matrix` runs, in order; `auto` = every app (`make apps`), floor first",
        readers=(BENCH,),
        section=LOAD,
    )
    profile: bool = var(
        "0",
        kinds.boolean(),
        "after the ramp, hold one more step at the last step within the SLO and sample "
        "the app's workers with py-spy (flame graph, CPU by layer)",
        readers=RUN,
        section=LOAD,
    )
    profile_step: int | None = var(
        "auto",
        kinds.auto_or(kinds.integer(1)),
        "users of the profiled step; `auto` = those of the last step within the SLO",
        readers=RUN,
        section=LOAD,
    )
    profile_rate: int = var(
        "25",
        kinds.integer(1, 200),
        "py-spy samples per second per worker",
        readers=(BENCH,),
        section=LOAD,
    )
    locust_processes: int = var(
        "1",
        kinds.integer(1, 256),
        "Locust processes on this machine (one core each); on a load host, its worker processes",
        readers=(BENCH, WORKER),
        section=LOAD,
    )
    locust_workers: int = var(
        "0",
        kinds.integer(0, 1024),
        "Locust worker processes on other hosts (`make loadgen-worker`) the master waits for; "
        "0 = the load runs here",
        readers=(BENCH,),
        section=LOAD,
    )
    master: Endpoint = var(
        "127.0.0.1:5557",
        kinds.endpoint(),
        "where the Locust master listens for workers (with `LOCUST_WORKERS`; `*:5557` = every "
        "address), and where `make loadgen-worker` connects",
        readers=(BENCH, WORKER),
        section=LOAD,
    )
    target_url: str | None = var(
        "",
        kinds.optional(kinds.http_url()),
        "load this running deployment (any http(s) URL) instead of starting a stack",
        readers=(BENCH,),
        section=LOAD,
    )
    app_resources: str | None = var(
        "",
        kinds.optional(kinds.url_or_path()),
        "with `TARGET_URL`: the app host's resource samples, `http://<app host>:<RESOURCES_PORT>` "
        "or a file it writes (`RESOURCES_OUT`); unset = app CPU not measured",
        readers=(BENCH,),
        section=LOAD,
    )
    variant: str | None = var(
        "",
        kinds.optional(kinds.label()),
        "a label for runs off the defaults (set automatically when an app setting differs)",
        readers=(BENCH,),
        section=LOAD,
    )
    ui_port: int = var(
        "8089",
        kinds.port(),
        "port of the Locust web UI of `make ui-<app>` (127.0.0.1)",
        readers=(BENCH,),
        section=LOAD,
    )
    make_target: str | None = var(
        "",
        kinds.optional(kinds.text("a make target")),
        "set by the Makefile: the target that started the run, recorded in meta.json",
        readers=(BENCH,),
        section=LOAD,
    )
    results_dir: Path = var(
        "results", kinds.path(), "where run folders go", readers=(BENCH,), section=LOAD
    )
