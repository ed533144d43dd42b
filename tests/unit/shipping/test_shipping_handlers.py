"""Shipping's handler through the in-memory bus."""

from __future__ import annotations

import uuid
from pathlib import Path

from services.events import InventoryReserved, OrderShipped, StockLine
from services.runtime.processor import Outcome
from services.runtime.settings import Settings
from services.runtime.testing import TestBus
from services.runtime.unit_of_work import new_metadata
from services.shipping.bootstrap import ORDERS_GROUP, create_app
from services.shipping.domain import create_shipment
from tests.samples import order_created


def inventory_reserved(order_id: uuid.UUID) -> InventoryReserved:
    return InventoryReserved(
        metadata=new_metadata("inventory", order_id),
        order_id=order_id,
        reservation_id="res_1",
        lines=[StockLine(sku="SKU-BOOK", quantity=1)],
    )


def placed(bus: TestBus) -> uuid.UUID:
    """A new order the shipping-orders group has learnt from its OrderCreated."""
    oid = uuid.uuid4()
    bus.publish(order_created(oid))
    assert bus.drain() == [Outcome.HANDLED]
    return oid


def test_reserved_order_is_shipped_with_its_deterministic_tracking(tmp_path: Path) -> None:
    app = create_app(Settings())
    bus = TestBus(app, tmp_path=tmp_path)
    oid = placed(bus)
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
    [row] = app.db.query("SELECT order_id, reservation_id FROM shipments")
    assert (row["order_id"], row["reservation_id"]) == (str(oid), "res_1")


def test_an_order_is_shipped_once(tmp_path: Path) -> None:
    app = create_app(Settings())
    bus = TestBus(app, tmp_path=tmp_path)
    oid = placed(bus)
    bus.publish(inventory_reserved(oid))
    bus.publish(inventory_reserved(oid))  # new event id, same order
    assert bus.drain() == [Outcome.HANDLED, Outcome.HANDLED]
    assert len(bus.events("order_shipped")) == 1
    assert app.db.query("SELECT COUNT(*) AS n FROM shipments")[0]["n"] == 1


def test_reserved_stock_of_an_order_never_placed_is_retried_then_dead_lettered(
    tmp_path: Path,
) -> None:
    app = create_app(Settings())
    bus = TestBus(app, tmp_path=tmp_path)
    bus.publish(inventory_reserved(uuid.uuid4()))
    assert bus.drain() == [Outcome.DEAD_LETTERED]
    [dead] = bus.dead_letters()
    assert dead.header("dlq.error.class") == b"retries_exhausted:unknown_order"
    assert dead.header("dlq.consumer.group") == b"shipping"
    assert dead.header("dlq.attempts") == b"3"
    assert bus.events("order_shipped") == []
    assert app.db.query("SELECT COUNT(*) AS n FROM shipments")[0]["n"] == 0


def test_an_early_reservation_ships_once_its_order_created_is_learnt(tmp_path: Path) -> None:
    """The shipping-orders group (own thread in production) heals the retrying reservation."""
    app = create_app(Settings())
    bus = TestBus(app, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(inventory_reserved(oid))
    bus.publish(order_created(oid))
    processor = {p.group: p for p in bus.processors}
    [reserved_msg] = bus.sink.topics["inventory_reserved"]
    [created_msg] = bus.sink.topics["order_created"]
    assert processor[ORDERS_GROUP].process(created_msg) is Outcome.HANDLED
    assert processor["shipping"].process(reserved_msg) is Outcome.HANDLED
    app.relay.relay()  # type: ignore[union-attr]
    assert len(bus.events("order_shipped")) == 1
