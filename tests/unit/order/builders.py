"""Events for the order tests."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from services.events import EventMetadata, OrderCreated, OrderLine

T0 = datetime.datetime(2026, 11, 1, 12, 0, tzinfo=datetime.UTC)


def meta(
    order_id: uuid.UUID,
    seconds: float = 0,
    producer: str = "test",
    base: datetime.datetime = T0,
) -> EventMetadata:
    """Metadata of an event that happened `seconds` after `base`."""
    return EventMetadata(
        event_id=uuid.uuid4(),
        correlation_id=order_id,
        occurred_at=base + datetime.timedelta(seconds=seconds),
        producer=producer,
    )


def order_created(order_id: uuid.UUID, seconds: float = 0) -> OrderCreated:
    return OrderCreated(
        metadata=meta(order_id, seconds, "order"),
        order_id=order_id,
        customer_id="c-1",
        items=[OrderLine(sku="SKU-1", quantity=2, unit_price=Decimal("10.50"))],
        total=Decimal("21.00"),
        currency="EUR",
        payment_token="tok_ok",
    )
