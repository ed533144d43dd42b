"""Payment's handlers through the in-memory bus: charge once, decline, refund once."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from services.events import (
    DeclineReason,
    InventoryFailed,
    OrderCreated,
    OrderLine,
    OrderPaid,
    PaymentFailed,
    PaymentRefunded,
)
from services.payment.bootstrap import PaymentSettings, create_app
from services.runtime.processor import Outcome
from services.runtime.testing import TestBus
from services.runtime.unit_of_work import new_metadata


def order_created(
    order_id: uuid.UUID, token: str = "tok_visa", price: str = "12.50", qty: int = 2
) -> OrderCreated:
    return OrderCreated(
        metadata=new_metadata("order", order_id),
        order_id=order_id,
        customer_id="cust-1",
        items=[OrderLine(sku="SKU-BOOK", quantity=qty, unit_price=Decimal(price))],
        total=Decimal(price) * qty,
        currency="EUR",
        payment_token=token,
    )


def inventory_failed(order_id: uuid.UUID) -> InventoryFailed:
    return InventoryFailed(
        metadata=new_metadata("inventory", order_id),
        order_id=order_id,
        missing_skus=["SKU-RARE"],
        detail="SKU-RARE: requested 3, available 1",
    )


def charges(bus: TestBus) -> list[tuple[str, str, str]]:
    app = bus.apps[0]
    rows = app.db.query("SELECT order_id, amount, status FROM charges ORDER BY created_at")
    return [(r["order_id"], r["amount"], r["status"]) for r in rows]


def test_order_created_is_charged_and_paid(tmp_path: Path) -> None:
    bus = TestBus(create_app(PaymentSettings()), tmp_path=tmp_path)  # default settings
    oid = uuid.uuid4()
    bus.publish(order_created(oid))
    assert bus.drain() == [Outcome.HANDLED]
    [paid] = bus.events("order_paid")
    assert isinstance(paid, OrderPaid)
    assert (paid.order_id, paid.amount, paid.currency) == (oid, Decimal("25.00"), "EUR")
    assert paid.metadata.producer == "payment"
    assert paid.metadata.correlation_id == oid  # same saga as the OrderCreated
    assert charges(bus) == [(str(oid), "25.00", "CAPTURED")]
    assert bus.events("payment_failed") == []


def test_declined_card_publishes_payment_failed_and_charges_nothing(tmp_path: Path) -> None:
    bus = TestBus(create_app(PaymentSettings()), tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, token="tok_declined"))
    bus.drain()
    [failed] = bus.events("payment_failed")
    assert isinstance(failed, PaymentFailed)
    assert failed.reason is DeclineReason.CARD_DECLINED
    assert failed.amount == Decimal("25.00")
    assert bus.events("order_paid") == []
    assert charges(bus) == []


def test_amount_limit_comes_from_settings(tmp_path: Path) -> None:
    bus = TestBus(create_app(PaymentSettings(payment_amount_limit="20.00")), tmp_path=tmp_path)
    bus.publish(order_created(uuid.uuid4()))  # 25.00
    bus.drain()
    [failed] = bus.events_of(PaymentFailed)
    assert failed.reason is DeclineReason.AMOUNT_LIMIT_EXCEEDED


def test_duplicate_order_created_with_a_new_event_id_charges_once(tmp_path: Path) -> None:
    bus = TestBus(create_app(PaymentSettings()), tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid))
    bus.publish(order_created(oid))  # new event id: the inbox lets it through
    assert bus.drain() == [Outcome.HANDLED, Outcome.HANDLED]
    assert len(bus.events("order_paid")) == 1  # the second publishes nothing
    assert charges(bus) == [(str(oid), "25.00", "CAPTURED")]


def test_duplicate_order_created_after_a_decline_does_not_charge(tmp_path: Path) -> None:
    bus = TestBus(create_app(PaymentSettings()), tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid, token="tok_insufficient_funds"))
    bus.publish(order_created(oid, token="tok_visa"))
    bus.drain()
    assert len(bus.events("payment_failed")) == 1
    assert bus.events("order_paid") == []
    assert charges(bus) == []


def test_redelivery_of_the_same_event_is_a_duplicate(tmp_path: Path) -> None:
    bus = TestBus(create_app(PaymentSettings()), tmp_path=tmp_path)
    event = order_created(uuid.uuid4())
    bus.publish(event)
    bus.publish(event)
    assert bus.drain() == [Outcome.HANDLED, Outcome.DUPLICATE]
    assert len(bus.events("order_paid")) == 1


def test_inventory_failed_refunds_the_charge_once(tmp_path: Path) -> None:
    bus = TestBus(create_app(PaymentSettings()), tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(order_created(oid))
    bus.drain()
    bus.publish(inventory_failed(oid))
    bus.publish(inventory_failed(oid))  # a second failure report (new event id)
    assert bus.drain() == [Outcome.HANDLED, Outcome.HANDLED]
    [refund] = bus.events("payment_refunded")
    assert isinstance(refund, PaymentRefunded)
    [paid] = bus.events_of(OrderPaid)
    assert refund.payment_id == paid.payment_id
    assert refund.amount == Decimal("25.00")
    assert "SKU-RARE" in refund.reason
    assert charges(bus) == [(str(oid), "25.00", "REFUNDED")]


def test_refund_without_a_captured_charge_is_dead_lettered_naming_the_order(
    tmp_path: Path,
) -> None:
    bus = TestBus(create_app(PaymentSettings()), tmp_path=tmp_path)
    oid = uuid.uuid4()
    bus.publish(inventory_failed(oid))
    assert bus.drain() == [Outcome.DEAD_LETTERED]
    [dead] = bus.dead_letters()
    assert dead.header("dlq.error.class") == b"business_rule"
    assert str(oid).encode() in (dead.header("dlq.error.message") or b"")
    assert bus.events("payment_refunded") == []
