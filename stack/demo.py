"""Demo orders for `make run`: some that succeed, one declined, one out of stock."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

import httpx

TERMINAL = {"DELIVERED", "CANCELLED"}

DEMO_ORDERS = [
    ("alice", [("SKU-BOOK", 2, "12.50"), ("SKU-MUG", 1, "8.90")], "tok_visa", "succeeds"),
    ("bob", [("SKU-TSHIRT", 3, "19.99")], "tok_mastercard", "succeeds"),
    ("carol", [("SKU-LAMP", 1, "49.00")], "tok_visa", "succeeds"),
    ("dave", [("SKU-BOOK", 1, "12.50")], "tok_declined", "payment declined"),
    ("erin", [("SKU-SOLDOUT", 1, "99.00")], "tok_visa", "out of stock"),
]


def order_body(customer: str, lines: list[tuple[str, int, str]], token: str) -> dict[str, object]:
    return {
        "customer_id": customer,
        "items": [{"sku": s, "quantity": q, "unit_price": p} for s, q, p in lines],
        "currency": "EUR",
        "payment_token": token,
    }


def place_demo_orders(api: str) -> list[tuple[str, str, str]]:
    """POST each demo order; return (order id, customer, expectation)."""
    placed = []
    with httpx.Client(base_url=api, timeout=10) as client:
        for customer, lines, token, expect in DEMO_ORDERS:
            body = order_body(customer, lines, token)
            response = client.post(
                "/orders", json=body, headers={"Idempotency-Key": f"demo-{customer}-{time.time()}"}
            )
            response.raise_for_status()
            placed.append((response.json()["id"], customer, expect))
    return placed


def wait_for_terminal(api: str, order_ids: list[str], timeout: float = 60.0) -> dict[str, dict]:
    """Poll until every order is DELIVERED or CANCELLED (or the deadline); id -> order."""
    deadline = time.monotonic() + timeout
    orders: dict[str, dict] = {}
    with httpx.Client(base_url=api, timeout=10) as client:
        while time.monotonic() < deadline:
            for oid in order_ids:
                if orders.get(oid, {}).get("status") not in TERMINAL:
                    response = client.get(f"/orders/{oid}")
                    if response.status_code == 200:
                        orders[oid] = response.json()
            if all(orders.get(o, {}).get("status") in TERMINAL for o in order_ids):
                break
            time.sleep(0.3)
    return orders


def summary_table(orders: dict[str, dict], placed: list[tuple[str, str, str]]) -> str:
    rows = [f"{'order':<10}{'customer':<10}{'expected':<18}{'total':>10}  final status"]
    for oid, customer, expect in placed:
        order = orders.get(oid, {})
        total = Decimal(str(order.get("total", "0")))
        rows.append(
            f"{oid[:8]:<10}{customer:<10}{expect:<18}{total:>10}  {order.get('status', '?')}"
        )
    counts = Counter(o.get("status", "?") for o in orders.values())
    rows.append("by status: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
    return "\n".join(rows)
