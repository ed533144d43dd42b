"""Saga events for the notification tests, with sensible defaults."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from services.events import (
    CancellationReason,
    DeclineReason,
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderCreated,
    OrderDelivered,
    OrderLine,
    OrderPaid,
    OrderShipped,
    PaymentFailed,
    PaymentRefunded,
    StockLine,
)
from services.runtime.unit_of_work import new_metadata

ORDER_ID = uuid.UUID("1a2b3c4d-0000-4000-8000-000000000001")
DELIVERED_AT = datetime.datetime(2026, 11, 5, 14, 3, tzinfo=datetime.UTC)


def meta(producer: str = "test") -> Any:
    return new_metadata(producer, correlation_id=uuid.uuid4())


def order_created(customer_id: str = "bob", order_id: uuid.UUID = ORDER_ID) -> OrderCreated:
    return OrderCreated(
        metadata=meta("order"),
        order_id=order_id,
        customer_id=customer_id,
        items=[
            OrderLine(sku="SKU-MUG", quantity=2, unit_price=Decimal("11.00")),
            OrderLine(sku="SKU-TEE", quantity=1, unit_price=Decimal("20.00")),
        ],
        total=Decimal("42.00"),
        currency="EUR",
        payment_token="tok_ok",
    )


def saga_events(order_id: uuid.UUID = ORDER_ID) -> dict[str, Any]:
    """One of every saga event for `order_id`, by class name."""
    events = [
        order_created(order_id=order_id),
        OrderPaid(
            metadata=meta("payment"),
            order_id=order_id,
            payment_id="pay-77",
            amount=Decimal("42.00"),
            currency="EUR",
        ),
        PaymentFailed(
            metadata=meta("payment"),
            order_id=order_id,
            amount=Decimal("9000.00"),
            currency="EUR",
            reason=DeclineReason.AMOUNT_LIMIT_EXCEEDED,
            detail="9000.00 EUR is above the 5000.00 EUR limit",
        ),
        InventoryReserved(
            metadata=meta("inventory"),
            order_id=order_id,
            reservation_id="res-5",
            lines=[StockLine(sku="SKU-MUG", quantity=2), StockLine(sku="SKU-TEE", quantity=1)],
        ),
        InventoryFailed(
            metadata=meta("inventory"),
            order_id=order_id,
            missing_skus=["SKU-UNOBTAINIUM"],
            detail="SKU-UNOBTAINIUM: wanted 1, have 0",
        ),
        PaymentRefunded(
            metadata=meta("payment"),
            order_id=order_id,
            payment_id="pay-77",
            amount=Decimal("42.00"),
            currency="EUR",
            reason="items out of stock",
        ),
        OrderCancelled(
            metadata=meta("order"),
            order_id=order_id,
            reason=CancellationReason.OUT_OF_STOCK,
            detail="SKU-UNOBTAINIUM is out of stock",
        ),
        OrderShipped(
            metadata=meta("shipping"),
            order_id=order_id,
            shipment_id="shp-9",
            carrier="DHL",
            tracking_number="ABC123",
        ),
        OrderDelivered(
            metadata=meta("delivery"),
            order_id=order_id,
            shipment_id="shp-9",
            delivered_at=DELIVERED_AT,
        ),
    ]
    return {type(e).__name__: e for e in events}
