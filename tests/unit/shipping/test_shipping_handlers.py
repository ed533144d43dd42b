"""Shipping's handler through the in-memory bus."""

from __future__ import annotations

import uuid
from pathlib import Path

from services.events import InventoryReserved, OrderShipped, StockLine
from services.runtime.processor import Outcome
from services.runtime.testing import TestBus
from services.runtime.unit_of_work import new_metadata
from services.shipping import handlers
from services.shipping.domain import create_shipment
from services.shipping.handlers import create_app


def inventory_reserved(order_id: uuid.UUID) -> InventoryReserved:
    return InventoryReserved(
        metadata=new_metadata("inventory", order_id),
        order_id=order_id,
        reservation_id="res_1",
        lines=[StockLine(sku="SKU-BOOK", quantity=1)],
    )


def test_reserved_order_is_shipped_with_its_deterministic_tracking(tmp_path: Path) -> None:
    bus = TestBus(handlers.app, tmp_path=tmp_path)
    oid = uuid.uuid4()
    reserved = inventory_reserved(oid)
    bus.publish(reserved)
    bus.drain()
    [shipped] = bus.events("order_shipped")
    assert isinstance(shipped, OrderShipped)
    expected = create_shipment(oid)
    assert (shipped.shipment_id, shipped.carrier, shipped.tracking_number) == (
        expected.shipment_id,
        expected.carrier,
        expected.tracking_number,
    )
    assert shipped.metadata.causation_id == reserved.metadata.event_id
    [row] = handlers.app.db.query("SELECT order_id, reservation_id FROM shipments")
    assert (row["order_id"], row["reservation_id"]) == (str(oid), "res_1")


def test_an_order_is_shipped_once(tmp_path: Path) -> None:
    app = create_app()
    bus = TestBus(app, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(inventory_reserved(oid))
    bus.publish(inventory_reserved(oid))  # new event id, same order
    assert bus.drain() == [Outcome.HANDLED, Outcome.HANDLED]
    assert len(bus.events("order_shipped")) == 1
    assert app.db.query("SELECT COUNT(*) AS n FROM shipments")[0]["n"] == 1
