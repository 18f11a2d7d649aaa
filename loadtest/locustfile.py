"""The shopper: list products -> view one -> order an item in stock -> view the order.

Run from the repository root (or with it on PYTHONPATH):
    locust -f loadtest/locustfile.py --headless --host http://127.0.0.1:8000 --bench-ramp "5 10"
Settings are Locust options, one per load variable of infra/settings.py (loadtest/options.py).
Locust runs the first shape class it finds in this module's namespace; SteppedRamp is the
only one, so headless runs always use it. With --class-picker the web UI offers it next to
"Default" (the user count typed in the form), whose steps loadtest/manual.py journals.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from typing import Any, TypeVar

from locust import FastHttpUser, constant, events, task
from locust.runners import WorkerRunner

from infra.fixtures import BENCH_PASSWORD, bench_email
from infra.settings.kinds import ConfigError
from loadtest import options, recorder
from loadtest.flow import (
    PAGE_SIZE,
    BodyError,
    ProductSummary,
    bench_user_number,
    order_number,
    parse_login,
    parse_order,
    parse_product_detail,
    parse_product_list,
    pick_item,
    pick_product,
    products_offset,
)
from loadtest.manual import ManualSteps
from loadtest.options import LoadRun
from loadtest.shape import SteppedRamp
from loadtest.think import pause

__all__ = ["ShopperUser", "SteppedRamp"]

T = TypeVar("T")


def _declare_options(parser: Any, **_kwargs: Any) -> None:
    options.add_arguments(parser)


def _start_recording(environment: Any, **_kwargs: Any) -> None:
    # A bad value stops every process with one line naming the variable, before any load.
    try:
        run = options.from_options(environment.parsed_options)
    except ConfigError as exc:
        raise SystemExit(f"loadtest: {exc}") from None
    recorder.install(environment.events, run.samples_dir)
    if not isinstance(environment.runner, WorkerRunner):
        # Where users are counted: the web UI's manual tests become steps too.
        ManualSteps(run.samples_dir / "steps.jsonl").install(environment.events)


events.init_command_line_parser.add_listener(_declare_options)  # type: ignore[no-untyped-call]
events.init.add_listener(_start_recording)  # type: ignore[no-untyped-call]


# Process-wide, so every simulated user of this Locust process gets its own seeded user
# and its own order numbers, also across web UI runs.
_user_sequence = itertools.count()


class ShopperUser(FastHttpUser):
    # Think time is taken after every request inside the flow, not between tasks.
    wait_time = constant(0)

    def on_start(self) -> None:
        runner = self.environment.runner
        parsed = self.environment.parsed_options
        # Read here, not at import: a worker receives the master's options with its first users.
        self._run: LoadRun = options.from_options(parsed)
        self._worker_index = max(0, getattr(runner, "worker_index", 0))
        worker_count = max(1, getattr(parsed, "processes", None) or 1)
        self._sequence = next(_user_sequence)
        self._email = bench_email(
            bench_user_number(
                sequence=self._sequence,
                worker_index=self._worker_index,
                worker_count=worker_count,
                user_count=self._run.settings.seed_users,
            )
        )
        self._orders = itertools.count(1)
        self._rng = random.Random()
        self._token: str | None = None
        self._login()

    @task
    def shop(self) -> None:
        if self._token is None:
            self._login()
            return
        product = self._list_products()
        if product is None:
            return
        item_pk = self._view_product(product)
        if item_pk is None:
            return
        order_pk = self._place_order(product.pk, item_pk)
        if order_pk is not None:
            self._view_order(order_pk)

    def _login(self) -> None:
        payload = {"email": self._email, "password": BENCH_PASSWORD}
        with self.client.post(
            "/auth/login", json=payload, name="/auth/login", catch_response=True
        ) as response:
            self._token = _checked(response, 200, parse_login)
        pause(self._run.settings.think, self._rng)

    def _list_products(self) -> ProductSummary | None:
        offset = products_offset(self._rng, pages=self._run.settings.product_pages)
        with self.client.get(
            f"/products?limit={PAGE_SIZE}&offset={offset}", name="/products", catch_response=True
        ) as response:
            products = _checked(response, 200, parse_product_list)
            product = None if products is None else pick_product(products, self._rng)
            if products == []:
                response.failure("empty product page")
            elif products is not None and product is None:
                response.failure("no active product on the page")
        pause(self._run.settings.think, self._rng)
        return product

    def _view_product(self, product: ProductSummary) -> int | None:
        with self.client.get(
            f"/products/{product.pk}", name="/products/{pk}", catch_response=True
        ) as response:
            items = _checked(response, 200, lambda body: parse_product_detail(body, pk=product.pk))
            item_pk = None
            if items is not None:
                item_pk = pick_item(items, listed_price=product.price, rng=self._rng)
                if item_pk is None:
                    response.failure("no item in stock")
        pause(self._run.settings.think, self._rng)
        return item_pk

    def _place_order(self, product_pk: int, item_pk: int) -> int | None:
        number = order_number(
            run_id=self._run.run_id,
            worker_index=self._worker_index,
            sequence=self._sequence,
            counter=next(self._orders),
        )
        payload = {
            "order_number": number,
            "product_id": product_pk,
            "items": [{"item_id": item_pk, "quantity": 1}],
        }
        with self.client.post(
            "/orders", json=payload, name="/orders", headers=self._auth(), catch_response=True
        ) as response:
            order_pk = _checked(response, 201, lambda body: parse_order(body, order_number=number))
            self._forget_token_on_401(response)
        pause(self._run.settings.think, self._rng)
        return order_pk

    def _view_order(self, order_pk: int) -> None:
        with self.client.get(
            f"/orders/{order_pk}", name="/orders/{pk}", headers=self._auth(), catch_response=True
        ) as response:
            _checked(response, 200, lambda body: parse_order(body, pk=order_pk))
            self._forget_token_on_401(response)
        pause(self._run.settings.think, self._rng)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _forget_token_on_401(self, response: Any) -> None:
        if response.status_code == 401:
            self._token = None


def _checked(response: Any, status: int, parse: Callable[[Any], T]) -> T | None:
    """The parsed body when the status and the body are as expected; else mark a failure."""
    if response.status_code != status:
        response.failure(f"expected {status}, got {_describe(response)}")
        return None
    try:
        value = parse(json.loads(response.content or b""))
    except ValueError as exc:
        # Decoding errors name a position; one fixed message keeps Locust's error keys few.
        message = str(exc) if isinstance(exc, BodyError) else "body is not JSON"
        response.failure(message)
        return None
    response.success()
    return value


def _describe(response: Any) -> str:
    """'409 out_of_stock', or the connection error's type when there was no response."""
    if response.status_code == 0:
        error = getattr(response, "error", None)
        return type(error).__name__ if error is not None else "no response"
    try:
        code = json.loads(response.content or b"")["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = "(no error code)"
    return f"{response.status_code} {code}"
