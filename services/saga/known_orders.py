"""Orders a service has seen placed (from OrderCreated), and the error for an event of an order
not seen yet.

One order's events travel on different topics, so one may overtake its OrderCreated: a consumer
that needs the order raises `UnknownOrderError` (transient), the event is retried, and if the
order never appears it is dead-lettered as `retries_exhausted:unknown_order`.  Services that keep
nothing else about an order tell "not placed yet" from "placed" with the `known_orders` table.
"""

from __future__ import annotations

import uuid

from services.runtime.errors import UnknownAggregateError
from services.runtime.store import Connection


class UnknownOrderError(UnknownAggregateError):
    """An event for an order this service has not seen placed yet."""

    error_class = "unknown_order"


SCHEMA = """
CREATE TABLE IF NOT EXISTS known_orders (
    order_id TEXT PRIMARY KEY
);
"""


def remember_order(conn: Connection, order_id: uuid.UUID) -> None:
    """Record that the order was placed (its OrderCreated was seen)."""
    conn.execute(
        "INSERT INTO known_orders (order_id) VALUES (?) ON CONFLICT (order_id) DO NOTHING",
        (str(order_id),),
    )


def is_known(conn: Connection, order_id: uuid.UUID) -> bool:
    row = conn.execute("SELECT 1 FROM known_orders WHERE order_id = ?", (str(order_id),)).fetchone()
    return row is not None
