"""Clients that go away mid-request: no traceback in the app server's log, nothing lost.

A client leaving is normal traffic (a browser tab closed, a load generator stopped). The app
answers no one, logs no error, keeps its connections and leaves the database consistent.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable

import httpx

from tests.contract._factory import (
    Db,
    bearer,
    expect,
    make_shop,
    new_order_number,
    register,
    url_of,
)
from tests.contract.conftest import AppUnderTest

ABORTS_PER_KIND = 15


def _order_request(token: str, product_id: int, item_id: int) -> tuple[bytes, bytes]:
    """Head and body of a one-item POST /orders."""
    body = json.dumps(
        {
            "order_number": new_order_number(),
            "product_id": product_id,
            "items": [{"item_id": item_id, "quantity": 1}],
        }
    ).encode()
    head = (
        f"POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


def _abort(url: str, data: bytes, *, pause: float) -> None:
    """Send `data`, wait `pause` seconds, then leave with a TCP reset, as a killed client does."""
    parsed = httpx.URL(url)
    assert parsed.host and parsed.port
    sock = socket.create_connection((parsed.host, parsed.port), timeout=10)
    try:
        sock.sendall(data)
        time.sleep(pause)
        # SO_LINGER 0: close() sends RST at once instead of a FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()


def test_aborted_requests_leave_no_traceback_and_lose_nothing(
    app: AppUnderTest, client: httpx.Client, db: Db
) -> None:
    shop = make_shop(db, items=1, item_quantity=10_000)
    item = shop.item_ids[0]
    _, token, _ = register(client)
    log_start = app.server_log.stat().st_size

    kinds: dict[str, Callable[[], None]] = {}
    for via in ("nginx", "direct"):
        url = url_of(app, via)

        def whole_then_reset(url: str = url) -> None:
            head, body = _order_request(token, shop.product_id, item)
            _abort(url, head + body, pause=0)

        def half_body(url: str = url) -> None:
            head, body = _order_request(token, shop.product_id, item)
            _abort(url, head + body[: len(body) // 2], pause=0.02)

        kinds[f"{via}: whole request, then reset"] = whole_then_reset
        kinds[f"{via}: half the body, then reset"] = half_body
    for _ in range(ABORTS_PER_KIND):
        for abort in kinds.values():
            abort()

    # The app still serves: nothing held a connection or a lock it should have let go.
    body = {
        "order_number": new_order_number(),
        "product_id": shop.product_id,
        "items": [{"item_id": item, "quantity": 1}],
    }
    expect(client.post("/orders", json=body, headers=bearer(token)), 201)
    for _ in range(10):
        expect(client.get("/health"), 200)
    time.sleep(0.5)

    log = app.server_log.read_bytes()[log_start:].decode(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert [line for line in log.splitlines() if "ERROR" in line] == [], log[-3000:]

    # Whatever the aborted requests committed, they committed whole.
    row = db.execute(
        "SELECT p.sold_quantity, coalesce(sum(i.quantity), 0), count(DISTINCT o.id), "
        "count(i.id) FROM tb_product_item p LEFT JOIN tb_order_item i ON i.item_id = p.id "
        "LEFT JOIN tb_order o ON o.id = i.order_id WHERE p.id = %s GROUP BY p.id",
        (item,),
    ).fetchone()
    assert row is not None
    sold, ordered, orders, lines = row
    assert sold == ordered == orders == lines, row
    assert 1 <= orders <= 1 + 2 * ABORTS_PER_KIND, row
    orphans = db.execute(
        "SELECT count(*) FROM tb_order o WHERE o.product_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM tb_order_item i WHERE i.order_id = o.id)",
        (shop.product_id,),
    ).fetchone()
    assert orphans == (0,)
