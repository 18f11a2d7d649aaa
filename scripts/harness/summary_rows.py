"""The shape of summary.json: one TypedDict per object in it (scripts/harness/summary.py
builds them)."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from scripts.harness.layers import ProfileSummary


class EndpointRow(TypedDict):
    requests: int
    rps: float
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    failures: int
    fail_ratio: float


class StepRow(TypedDict):
    index: int
    users: int
    seconds: float
    window_start: float
    window_end: float
    requests: int
    rps: float
    avg_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    failures: int
    fail_ratio: float
    app_cpu_pct: float | None
    app_rss_mb: float | None
    db_cpu_pct: float | None
    nginx_cpu_pct: float | None
    loadgen_cpu_pct: float | None
    valid: bool
    invalid_reason: str | None
    endpoints: dict[str, EndpointRow]
    # Newer than the first published results, whose files lack them.
    loadgen_total_cpu_pct: NotRequired[float | None]  # every Locust process, every host
    loadgen_cpu_per_1k_rps: NotRequired[float | None]  # % of a core per 1000 req/s
    load_host_busy_pct: NotRequired[float | None]  # the cores running the load, % busy
    load_host_saturated: NotRequired[str | None]  # who used them up, when above 90 %
    # Open loop (ARRIVAL) only: the target rate, latency counted from the intended starts,
    # and the requests that could not start on time.
    rate: NotRequired[float | None]
    corrected_avg_ms: NotRequired[float | None]
    corrected_p50_ms: NotRequired[float | None]
    corrected_p95_ms: NotRequired[float | None]
    corrected_p99_ms: NotRequired[float | None]
    corrected_max_ms: NotRequired[float | None]
    late: NotRequired[int]
    late_ratio: NotRequired[float]
    late_pct: NotRequired[float]


class KneeRow(TypedDict):
    avg_users: int | None
    p95_users: int | None
    invalid_breach_users: list[int]
    avg_rate: NotRequired[float | None]  # open loop: the target req/s where it broke
    p95_rate: NotRequired[float | None]


class ErrorsRow(TypedDict):
    any: bool  # any failed request in the whole run, ramps and logins included
    total_failures: int
    first_users_over_1pct: int | None


class LoginRow(TypedDict):
    requests: int
    failures: int
    avg_ms: float | None
    p95_ms: float | None


class LoadgenRow(TypedDict):
    mode: str  # "local" (one Locust process) or "distributed" (a master and its workers)
    workers: int
    rows: int
    locust_requests: int
    max_clock_offset_s: float | None  # workers' clocks against the master's, latency included


class EncoreRow(TypedDict):
    """What profiling cost, measured in the run: the encore against its unprofiled twin."""

    users: int
    profiled: StepRow
    unprofiled: StepRow | None  # the ramp step at the same users, if the ramp had one
    rps_change_pct: float | None
    cpu_ms_per_request_change_pct: float | None


class Summary(TypedDict):
    app: str
    variant: str | None
    run: str
    slo_ms: float
    think: Any
    ramp: list[int]  # users of the steps that ran
    auto_ramp: bool  # the ramp grew while the SLO held instead of following a fixed plan
    step_seconds: float
    settle_seconds: float
    spawn_rate: float
    steps: list[StepRow]
    knee: KneeRow
    max_rps_within_slo: float | None
    max_rps_within_slo_users: int | None
    errors: ErrorsRow
    login: LoginRow
    invariants: dict[str, Any]
    complete: bool  # every planned step was recorded (auto ramp: at least one step)
    failure: str | None  # why the run failed (scripts/harness/failure.py), None if it did not
    profile: NotRequired[ProfileSummary]  # only in runs that asked for a profile
    encore: NotRequired[EncoreRow]  # the profiled encore against the same users unprofiled
    loadgen: NotRequired[LoadgenRow | None]  # the samples' ledger (scripts/harness/loadgen.py)
    loadgen_cpu_per_1k_rps: NotRequired[float | None]  # at the step with the most req/s


# Keys that older summary.json files lack. (TypedDict's __optional_keys__ cannot tell:
# under postponed annotations Python 3.11 counts NotRequired keys as required.)
OPTIONAL_KEYS = frozenset({"profile", "encore", "loadgen", "loadgen_cpu_per_1k_rps"})
STEP_CSV_FIELDS = [name for name in StepRow.__annotations__ if name != "endpoints"]
