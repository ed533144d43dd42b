"""The orders a service has seen placed (from OrderCreated), for services that keep nothing else
about an order but must tell "not placed yet" from "placed" (see UnknownOrderError)."""

from __future__ import annotations

import sqlite3
import uuid

SCHEMA = """
CREATE TABLE IF NOT EXISTS known_orders (
    order_id TEXT PRIMARY KEY
);
"""


def remember_order(conn: sqlite3.Connection, order_id: uuid.UUID) -> None:
    """Record that the order was placed (its OrderCreated was seen)."""
    conn.execute(
        "INSERT INTO known_orders (order_id) VALUES (?) ON CONFLICT (order_id) DO NOTHING",
        (str(order_id),),
    )


def is_known(conn: sqlite3.Connection, order_id: uuid.UUID) -> bool:
    row = conn.execute("SELECT 1 FROM known_orders WHERE order_id = ?", (str(order_id),)).fetchone()
    return row is not None
