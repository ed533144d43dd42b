"""Shipping's tables: the orders placed (from OrderCreated) and one shipment per order."""

from __future__ import annotations

import uuid

from services.runtime.store import Connection, Migration
from services.runtime.unit_of_work import now_utc
from services.saga import known_orders
from services.shipping.domain import Shipment

SCHEMA = (
    known_orders.SCHEMA
    + """CREATE TABLE IF NOT EXISTS shipments (
    shipment_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE,
    reservation_id TEXT NOT NULL,
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
)
MIGRATIONS = (Migration(1, "known orders and shipments", SCHEMA),)


def has_shipment(conn: Connection, order_id: uuid.UUID) -> bool:
    row = conn.execute("SELECT 1 FROM shipments WHERE order_id = ?", (str(order_id),)).fetchone()
    return row is not None


def add_shipment(conn: Connection, shipment: Shipment, reservation_id: str) -> None:
    conn.execute(
        "INSERT INTO shipments"
        " (shipment_id, order_id, reservation_id, carrier, tracking_number, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            shipment.shipment_id,
            str(shipment.order_id),
            reservation_id,
            shipment.carrier,
            shipment.tracking_number,
            now_utc().isoformat(),
        ),
    )
