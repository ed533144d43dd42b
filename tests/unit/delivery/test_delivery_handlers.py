"""Delivery's handler through the in-memory bus, and the whole fulfilment chain on one bus."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from services.delivery.bootstrap import DeliverySettings, create_app
from services.events import OrderDelivered, OrderShipped
from services.inventory.bootstrap import InventorySettings
from services.inventory.bootstrap import create_app as create_inventory
from services.payment.bootstrap import PaymentSettings
from services.payment.bootstrap import create_app as create_payment
from services.runtime.processor import Outcome
from services.runtime.settings import Settings
from services.runtime.testing import TestBus
from services.runtime.unit_of_work import new_metadata
from services.shipping.bootstrap import create_app as create_shipping
from tests.samples import order_created

NO_DELAY = DeliverySettings(delivery_delay_s=0)


def order_shipped(order_id: uuid.UUID) -> OrderShipped:
    return OrderShipped(
        metadata=new_metadata("shipping", order_id),
        order_id=order_id,
        shipment_id="shp_1",
        carrier="DHL",
        tracking_number="JD0000000000000001",
    )


def placed(bus: TestBus) -> uuid.UUID:
    """A new order the delivery-orders group has learnt from its OrderCreated."""
    oid = uuid.uuid4()
    bus.publish(order_created(oid))
    assert bus.drain() == [Outcome.HANDLED]
    return oid


def test_shipped_order_is_delivered(tmp_path: Path) -> None:
    app = create_app(NO_DELAY)
    bus = TestBus(app, tmp_path=tmp_path)
    oid = placed(bus)
    shipped = order_shipped(oid)
    bus.publish(shipped)
    bus.drain()
    [delivered] = bus.events("order_delivered")
    assert isinstance(delivered, OrderDelivered)
    assert (delivered.order_id, delivered.shipment_id) == (oid, "shp_1")
    assert delivered.delivered_at >= shipped.metadata.occurred_at
    assert delivered.metadata.causation_id == shipped.metadata.event_id
    [row] = app.db.query("SELECT order_id FROM deliveries")
    assert row["order_id"] == str(oid)


def test_delivery_waits_the_configured_delay(tmp_path: Path) -> None:
    bus = TestBus(create_app(DeliverySettings(delivery_delay_s=0.2)), tmp_path=tmp_path)
    oid = placed(bus)
    started = time.monotonic()
    bus.publish(order_shipped(oid))
    bus.drain()
    assert time.monotonic() - started >= 0.15  # less only the time the event sat queued
    assert len(bus.events("order_delivered")) == 1


def test_an_order_is_delivered_once(tmp_path: Path) -> None:
    bus = TestBus(create_app(NO_DELAY), tmp_path=tmp_path)
    oid = placed(bus)
    bus.publish(order_shipped(oid))
    bus.publish(order_shipped(oid))  # new event id, same order
    assert bus.drain() == [Outcome.HANDLED, Outcome.HANDLED]
    assert len(bus.events("order_delivered")) == 1


def test_a_shipment_of_an_order_never_placed_is_retried_then_dead_lettered(
    tmp_path: Path,
) -> None:
    app = create_app(NO_DELAY)
    bus = TestBus(app, tmp_path=tmp_path)
    bus.publish(order_shipped(uuid.uuid4()))
    assert bus.drain() == [Outcome.DEAD_LETTERED]
    [dead] = bus.dead_letters()
    assert dead.header("dlq.error.class") == b"retries_exhausted:unknown_order"
    assert dead.header("dlq.consumer.group") == b"delivery"
    assert bus.events("order_delivered") == []
    assert app.db.query("SELECT COUNT(*) AS n FROM deliveries")[0]["n"] == 0


def test_an_order_flows_from_created_to_delivered(tmp_path: Path) -> None:
    apps = [
        create_payment(PaymentSettings()),
        create_inventory(InventorySettings()),
        create_shipping(Settings()),
        create_app(NO_DELAY),
    ]
    bus = TestBus(*apps, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid))
    bus.drain()
    topics = ["order_paid", "inventory_reserved", "order_shipped", "order_delivered"]
    assert [len(bus.events(t)) for t in topics] == [1, 1, 1, 1]
    chain = [bus.events(t)[0].metadata for t in topics]
    assert all(m.correlation_id == oid for m in chain)
    assert [m.producer for m in chain] == ["payment", "inventory", "shipping", "delivery"]
    assert bus.dead_letters() == []
