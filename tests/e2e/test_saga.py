"""The order saga end to end on the embedded stack: real Tansu, real registry, six services."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from stack.stack import Stack
from tests.e2e.conftest import PlaceOrder, service_rows, wait_terminal


def stock_of(stack: Stack, sku: str) -> int:
    return int(
        service_rows(stack, "inventory", "SELECT available FROM stock WHERE sku = ?", (sku,))[0][0]
    )


def timeline(api: httpx.Client, order_id: str) -> list[str]:
    response = api.get(f"/orders/{order_id}/events")
    assert response.status_code == 200
    return [e["event_type"] for e in response.json()["events"]]


def test_happy_path_reaches_delivered(api: httpx.Client, place_order: PlaceOrder) -> None:
    order_id = place_order("alice", [("SKU-BOOK", 2, "12.50"), ("SKU-MUG", 1, "8.90")])
    order = wait_terminal(api, [order_id])[order_id]
    assert order["status"] == "DELIVERED"
    events = timeline(api, order_id)
    for expected in (
        "OrderCreated",
        "OrderPaid",
        "InventoryReserved",
        "OrderShipped",
        "OrderDelivered",
    ):
        assert expected in events


def test_declined_payment_cancels(api: httpx.Client, place_order: PlaceOrder) -> None:
    order_id = place_order("dave", token="tok_declined")
    order = wait_terminal(api, [order_id])[order_id]
    assert order["status"] == "CANCELLED"
    events = timeline(api, order_id)
    assert "PaymentFailed" in events and "OrderCancelled" in events
    assert "OrderPaid" not in events


def test_out_of_stock_refunds_and_leaves_stock_unchanged(
    stack: Stack, api: httpx.Client, place_order: PlaceOrder
) -> None:
    before = stock_of(stack, "SKU-LAMP")
    order_id = place_order("erin", [("SKU-LAMP", 2, "49.00"), ("SKU-SOLDOUT", 1, "99.00")])
    order = wait_terminal(api, [order_id])[order_id]
    assert order["status"] == "CANCELLED"
    events = timeline(api, order_id)
    for expected in ("OrderPaid", "InventoryFailed", "PaymentRefunded", "OrderCancelled"):
        assert expected in events
    assert "InventoryReserved" not in events
    assert stock_of(stack, "SKU-LAMP") == before


def test_two_hundred_concurrent_orders_all_finish(
    stack: Stack, api: httpx.Client, place_order: PlaceOrder
) -> None:
    def one(i: int) -> str:
        if i % 20 == 7:
            return place_order(f"cust-{i}", token="tok_declined")
        if i % 20 == 13:
            return place_order(f"cust-{i}", [("SKU-SOLDOUT", 1, "5.00")])
        return place_order(f"cust-{i}", [("SKU-TSHIRT", 1, "19.99"), ("SKU-POSTER", 1, "4.50")])

    before = stock_of(stack, "SKU-TSHIRT")
    with ThreadPoolExecutor(8) as pool:
        order_ids = list(pool.map(one, range(200)))
    orders = wait_terminal(api, order_ids, timeout=180)
    statuses = [orders[o]["status"] for o in order_ids]
    assert statuses.count("CANCELLED") == 20  # 10 declined + 10 out of stock
    assert statuses.count("DELIVERED") == 180
    assert stock_of(stack, "SKU-TSHIRT") == before - 180
