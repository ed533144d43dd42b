"""Delivery's tables: the orders placed (from OrderCreated) and one delivery per order."""

from __future__ import annotations

import datetime
import uuid

from services.runtime.store import Connection, Migration
from services.saga import known_orders

SCHEMA = (
    known_orders.SCHEMA
    + """CREATE TABLE IF NOT EXISTS deliveries (
    order_id TEXT PRIMARY KEY,
    shipment_id TEXT NOT NULL,
    delivered_at TEXT NOT NULL
);
"""
)
MIGRATIONS = (Migration(1, "known orders and deliveries", SCHEMA),)


def is_delivered(conn: Connection, order_id: uuid.UUID) -> bool:
    row = conn.execute("SELECT 1 FROM deliveries WHERE order_id = ?", (str(order_id),)).fetchone()
    return row is not None


def add_delivery(
    conn: Connection, order_id: uuid.UUID, shipment_id: str, at: datetime.datetime
) -> None:
    conn.execute(
        "INSERT INTO deliveries (order_id, shipment_id, delivered_at) VALUES (?, ?, ?)",
        (str(order_id), shipment_id, at.isoformat()),
    )
