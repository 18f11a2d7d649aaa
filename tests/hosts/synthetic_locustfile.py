"""A locustfile without HTTP: each user fires synthetic `request` events, so the sample
transport can be tested with real Locust processes (master, workers) and no target at all.

`--drop-batch-of-worker N` makes worker N lose one batch of rows on the way to the master,
as a lossy transport would: the test's way to prove that the ledger notices.
"""

from __future__ import annotations

import time
from typing import Any

from locust import User, constant, events, task

import loadtest.locustfile  # noqa: F401 - the project's options and recording hooks
from loadtest import transport

_write = transport.WorkerSender.write
_dropped: list[int] = []


def _options(parser: Any, **_kwargs: Any) -> None:
    parser.add_argument("--drop-batch-of-worker", type=int, default=-1)


def _lose_a_batch(environment: Any, **_kwargs: Any) -> None:
    def write(self: transport.WorkerSender, rows: Any, *, final: bool) -> None:
        drop = environment.parsed_options.drop_batch_of_worker
        index = getattr(environment.runner, "worker_index", -1)
        if index == drop and rows and not final and not _dropped:
            _dropped.append(len(rows))
            self.rows_sent += len(rows)  # counted as sent, never delivered
            self.seq += 1
            return
        _write(self, rows, final=final)

    transport.WorkerSender.write = write  # type: ignore[method-assign]


events.init_command_line_parser.add_listener(_options)  # type: ignore[no-untyped-call]
events.init.add_listener(_lose_a_batch)  # type: ignore[no-untyped-call]


class SyntheticUser(User):
    wait_time = constant(0.002)

    @task
    def request(self) -> None:
        self.environment.events.request.fire(
            request_type="GET",
            name="/synthetic",
            response_time=1.25,
            response_length=10,
            exception=None,
            context={},
            start_time=time.time(),
            url="/synthetic",
            response=None,
        )
