"""Payment and inventory together on one bus: the refund branch of the saga."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from services.events import InventoryFailed, OrderCreated, OrderPaid, PaymentRefunded
from services.inventory.bootstrap import InventorySettings
from services.inventory.bootstrap import create_app as create_inventory
from services.payment.bootstrap import PaymentSettings
from services.payment.bootstrap import create_app as create_payment
from services.runtime.app import ServiceApp
from services.runtime.testing import TestBus
from tests.samples import order_created as sample_order_created


def order_created(order_id: uuid.UUID, *lines: tuple[str, int]) -> OrderCreated:
    return sample_order_created(order_id, *lines, price="9.99", customer="cust-7")


def stock(app: ServiceApp) -> dict[str, int]:
    return {r["sku"]: r["available"] for r in app.db.query("SELECT sku, available FROM stock")}


def test_out_of_stock_is_refunded_and_stock_is_unchanged(tmp_path: Path) -> None:
    payment = create_payment(PaymentSettings())
    inventory = create_inventory(InventorySettings())
    bus = TestBus(payment, inventory, tmp_path=tmp_path)
    before = stock(inventory)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-BOOK", 1), ("SKU-RARE", 2)))
    bus.drain()
    assert [e.order_id for e in bus.events_of(OrderPaid)] == [oid]
    [failed] = bus.events_of(InventoryFailed)
    assert failed.missing_skus == ["SKU-RARE"]
    [refund] = bus.events_of(PaymentRefunded)
    assert refund.amount == Decimal("29.97")
    assert refund.metadata.causation_id == failed.metadata.event_id
    assert stock(inventory) == before
    [row] = payment.db.query("SELECT status FROM charges WHERE order_id = ?", (str(oid),))
    assert row["status"] == "REFUNDED"
    assert bus.dead_letters() == []


def test_happy_path_reserves_and_keeps_the_charge(tmp_path: Path) -> None:
    payment = create_payment(PaymentSettings())
    inventory = create_inventory(InventorySettings())
    bus = TestBus(payment, inventory, tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, ("SKU-TSHIRT", 2)))
    bus.publish(order_created(oid, ("SKU-TSHIRT", 2)))  # duplicate order, new event id
    bus.drain()
    assert len(bus.events("order_paid")) == 1
    assert len(bus.events("inventory_reserved")) == 1
    assert bus.events("payment_refunded") == []
    assert stock(inventory)["SKU-TSHIRT"] == 998
