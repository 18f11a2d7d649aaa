"""Where the sample recorder and its transport hook into Locust, by this process's role.

- one process (Locust's LocalRunner): rows to `samples-local.csv`, its ledger at each test's end;
- a worker: rows to the master once a second; when the master drains it, it stops its users,
  sends Locust's last stats report, then its final rows (in that order, on one connection);
- the master: every worker's rows into the run folder. When a test stops it drains the
  workers before anything else: Locust itself tells them to quit and then waits only half a
  second for their last report, which a busy or distant worker can miss.

Called from the locustfile's `init` listener; the environment is Locust's, untyped here so
that nothing in this module imports Locust.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import gevent

from loadtest.recorder import SampleRecorder, SamplesFile
from loadtest.transport import (
    DRAIN_MSG,
    SAMPLES_MSG,
    SampleCollector,
    WorkerSender,
    local_manifest,
    write_manifest,
)

logger = logging.getLogger(__name__)

# How long the master waits for every worker's final rows once a test stops.
DRAIN_SECONDS = 20.0
MISSING = "missing"  # locust.runners.STATE_MISSING


def install_local(environment: Any, samples_dir: Path) -> SampleRecorder:
    runner, events = environment.runner, environment.events
    samples = SamplesFile(samples_dir / "samples-local.csv")
    recorder = SampleRecorder(samples)
    events.request.add_listener(recorder.on_request)
    gevent.spawn(recorder.flush_forever)
    reset = _StatsReset(events)

    def on_test_stop(**_kwargs: Any) -> None:
        recorder.flush(final=True)
        manifest = local_manifest(
            samples, locust_requests=runner.stats.total.num_requests, stats_reset=reset.seen
        )
        write_manifest(samples_dir, manifest)

    def on_quitting(**_kwargs: Any) -> None:
        recorder.flush(final=True)
        samples.close()

    def on_test_start(**_kwargs: Any) -> None:
        # Locust clears its own counters as a test starts; the ledger counts from there too.
        samples.begin_test()
        reset.clear()

    events.test_start.add_listener(on_test_start)
    events.test_stop.add_listener(on_test_stop)
    events.quitting.add_listener(on_quitting)
    return recorder


def install_worker(environment: Any) -> SampleRecorder:
    runner, events = environment.runner, environment.events

    def send(msg_type: str, data: dict[str, Any]) -> None:
        try:
            runner.send_message(msg_type, data)
        except Exception:
            # The master's ledger will show the rows as missing; the worker keeps going.
            logger.exception("could not send samples to the master")

    sender = WorkerSender(send)
    recorder = SampleRecorder(sender)
    events.request.add_listener(recorder.on_request)
    gevent.spawn(recorder.flush_forever)
    finished = [False]

    def on_test_start(**_kwargs: Any) -> None:
        sender.begin_test()
        finished[0] = False

    def on_test_stop(**_kwargs: Any) -> None:
        # Locust's last report first: when the master reads the final rows, its totals
        # already hold every request they describe.
        try:
            runner._send_stats()
        except Exception:
            logger.exception("could not send Locust's last report to the master")
        recorder.flush(final=True)
        finished[0] = True

    def on_drain(**_kwargs: Any) -> None:
        runner.stop()  # fires test_stop, unless the users were already stopped
        if not finished[0]:
            on_test_stop()

    events.test_start.add_listener(on_test_start)
    events.test_stop.add_listener(on_test_stop)
    runner.register_message(DRAIN_MSG, on_drain, concurrent=True)
    return recorder


def install_master(environment: Any, samples_dir: Path) -> SampleCollector:
    runner, events, options = environment.runner, environment.events, environment.parsed_options
    # --processes children are in the local resource monitor's sight; other workers are not.
    collector = SampleCollector(samples_dir, worker_resources=not getattr(options, "processes", 0))
    reset = _StatsReset(events)

    def on_samples(msg: Any, **_kwargs: Any) -> None:
        collector.receive(msg.node_id, runner.get_worker_index(msg.node_id), msg.data)

    def on_test_stopping(**_kwargs: Any) -> None:
        drain(runner, collector)

    def on_test_stop(**_kwargs: Any) -> None:
        manifest = collector.manifest(
            locust_requests=runner.stats.total.num_requests,
            workers_expected=getattr(options, "expect_workers", None),
            stats_reset=reset.seen,
        )
        write_manifest(samples_dir, manifest)

    runner.register_message(SAMPLES_MSG, on_samples)

    def on_test_start(**_kwargs: Any) -> None:
        collector.begin_test()
        reset.clear()

    events.test_start.add_listener(on_test_start)
    events.test_stopping.add_listener(on_test_stopping)
    events.test_stop.add_listener(on_test_stop)
    events.quitting.add_listener(lambda **_: collector.close())
    return collector


class _StatsReset:
    """Whether the web UI's "Reset stats" cleared Locust's counters during the test: its
    request count then no longer covers the whole test, and the ledger says so."""

    def __init__(self, events: Any) -> None:
        self.seen = False
        events.reset_stats.add_listener(self._on_reset)

    def _on_reset(self, **_kwargs: Any) -> None:
        self.seen = True

    def clear(self) -> None:
        self.seen = False


def drain(runner: Any, collector: SampleCollector, *, timeout: float = DRAIN_SECONDS) -> list[str]:
    """Ask every live worker for its final rows and wait for them; the ids still missing."""
    live = [client.id for client in runner.clients.all if client.state != MISSING]
    if not live:
        return []
    runner.send_message(DRAIN_MSG, {})
    deadline = time.monotonic() + timeout
    while (waiting := collector.waiting_for(live)) and time.monotonic() < deadline:
        gevent.sleep(0.05)
    if waiting:
        logger.error("no final samples from %d worker(s) after %.0f s", len(waiting), timeout)
    return waiting
