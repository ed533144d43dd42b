"""One realistic instance of every generated event class, for round-trip and interop tests."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from services import events as ev

ORDER_ID = uuid.UUID("5f0c7c1e-2b1a-4d8e-9a34-1f2e3d4c5b6a")
WHEN = datetime.datetime(2026, 11, 25, 12, 30, 15, 123000, tzinfo=datetime.UTC)


def metadata(producer: str = "order") -> ev.EventMetadata:
    return ev.EventMetadata(
        event_id=uuid.uuid4(),
        correlation_id=ORDER_ID,
        causation_id=uuid.uuid4(),
        occurred_at=WHEN,
        producer=producer,
    )


def sample_events() -> list[tuple[str, ev.Event]]:
    """(topic, event) for every topic of the catalog."""
    notification: dict[str, Any] = dict(
        order_id=ORDER_ID,
        customer_id="alice",
        source_event="OrderDelivered",
        title="Delivered",
        body="Your order arrived.",
    )
    return [
        (
            "order_created",
            ev.OrderCreated(
                metadata=metadata(),
                order_id=ORDER_ID,
                customer_id="alice",
                items=[
                    ev.OrderLine(sku="SKU-BOOK", quantity=2, unit_price=Decimal("12.50")),
                    ev.OrderLine(sku="SKU-MUG", quantity=1, unit_price=Decimal("8.90")),
                ],
                total=Decimal("33.90"),
                currency="EUR",
                payment_token="tok_visa",
                note="gift wrap",
            ),
        ),
        (
            "order_paid",
            ev.OrderPaid(
                metadata=metadata("payment"),
                order_id=ORDER_ID,
                payment_id="pay-1",
                amount=Decimal("33.90"),
                currency="EUR",
            ),
        ),
        (
            "payment_failed",
            ev.PaymentFailed(
                metadata=metadata("payment"),
                order_id=ORDER_ID,
                amount=Decimal("9999.99"),
                currency="EUR",
                reason=ev.DeclineReason.AMOUNT_LIMIT_EXCEEDED,
                detail="over limit",
            ),
        ),
        (
            "inventory_reserved",
            ev.InventoryReserved(
                metadata=metadata("inventory"),
                order_id=ORDER_ID,
                reservation_id="res-1",
                lines=[ev.StockLine(sku="SKU-BOOK", quantity=2)],
            ),
        ),
        (
            "inventory_failed",
            ev.InventoryFailed(
                metadata=metadata("inventory"),
                order_id=ORDER_ID,
                missing_skus=["SKU-SOLDOUT"],
                detail="SKU-SOLDOUT: requested 1, available 0",
            ),
        ),
        (
            "payment_refunded",
            ev.PaymentRefunded(
                metadata=metadata("payment"),
                order_id=ORDER_ID,
                payment_id="pay-1",
                amount=Decimal("33.90"),
                currency="EUR",
                reason="out of stock",
            ),
        ),
        (
            "order_cancelled",
            ev.OrderCancelled(
                metadata=metadata(),
                order_id=ORDER_ID,
                reason=ev.CancellationReason.OUT_OF_STOCK,
                detail="SKU-SOLDOUT out of stock",
            ),
        ),
        (
            "order_shipped",
            ev.OrderShipped(
                metadata=metadata("shipping"),
                order_id=ORDER_ID,
                shipment_id="shp-1",
                carrier="DHL",
                tracking_number="DHL123456",
            ),
        ),
        (
            "order_delivered",
            ev.OrderDelivered(
                metadata=metadata("delivery"),
                order_id=ORDER_ID,
                shipment_id="shp-1",
                delivered_at=WHEN,
            ),
        ),
        (
            "high_priority_notifications",
            ev.Notification(
                metadata=metadata("notification"),
                channel=ev.Channel.SMS,
                priority=ev.Priority.HIGH,
                **notification,
            ),
        ),
        (
            "low_priority_notifications",
            ev.Notification(
                metadata=metadata("notification"),
                channel=ev.Channel.PUSH,
                priority=ev.Priority.LOW,
                **notification,
            ),
        ),
    ]


def order_created(
    order_id: uuid.UUID,
    *lines: tuple[str, int],
    price: str = "5.00",
    customer: str = "cust-1",
    token: str = "tok_visa",
) -> ev.OrderCreated:
    """An OrderCreated of `lines` (sku, quantity), every unit at `price`; one book by default."""
    items = [
        ev.OrderLine(sku=sku, quantity=qty, unit_price=Decimal(price))
        for sku, qty in lines or (("SKU-BOOK", 1),)
    ]
    return ev.OrderCreated(
        metadata=ev.EventMetadata(
            event_id=uuid.uuid4(),
            correlation_id=order_id,
            occurred_at=datetime.datetime.now(datetime.UTC),
            producer="order",
        ),
        order_id=order_id,
        customer_id=customer,
        items=items,
        total=sum((i.unit_price * i.quantity for i in items), Decimal("0.00")),
        currency="EUR",
        payment_token=token,
    )
