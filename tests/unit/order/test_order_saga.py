"""Saga reactions and the live projection through the TestBus (real processor, inbox, outbox)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi.testclient import TestClient

from services.events import (
    CancellationReason,
    DeclineReason,
    EventMetadata,
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderPaid,
    OrderShipped,
    PaymentFailed,
    PaymentRefunded,
    StockLine,
)
from services.order import store
from services.order.domain import rebuild
from services.runtime.app import ServiceApp
from services.runtime.messages import Incoming
from services.runtime.testing import TestBus
from services.runtime.unit_of_work import now_utc
from tests.unit.order import builders
from tests.unit.order.builders import order_created

ORDER = {
    "customer_id": "c-1",
    "items": [{"sku": "SKU-9", "quantity": 1, "unit_price": "5.00"}],
    "currency": "EUR",
    "payment_token": "tok_declined",
}


def meta(oid: uuid.UUID, seconds: float = 0, producer: str = "test") -> EventMetadata:
    """After the orders the API places now (the fold orders the timeline by occurred_at)."""
    return builders.meta(oid, seconds, producer, base=now_utc())


def place(client: TestClient) -> uuid.UUID:
    return uuid.UUID(client.post("/orders", json=ORDER).json()["id"])


def payment_failed(oid: uuid.UUID) -> PaymentFailed:
    return PaymentFailed(
        metadata=meta(oid, 1, "payment"),
        order_id=oid,
        amount=Decimal("5.00"),
        currency="EUR",
        reason=DeclineReason.CARD_DECLINED,
        detail="test card",
    )


def refunded(oid: uuid.UUID) -> PaymentRefunded:
    return PaymentRefunded(
        metadata=meta(oid, 3, "payment"),
        order_id=oid,
        payment_id="pay-1",
        amount=Decimal("5.00"),
        currency="EUR",
        reason="inventory failed",
    )


def test_payment_failed_cancels_the_order_once(client: TestClient, bus: TestBus) -> None:
    oid = place(client)
    failure = payment_failed(oid)
    bus.publish(failure)
    bus.publish(payment_failed(oid))  # a second decline (other event id): still one cancellation
    bus.drain()
    cancels = bus.events("order_cancelled")
    assert len(cancels) == 1
    cancel = cancels[0]
    assert isinstance(cancel, OrderCancelled)
    assert cancel.reason is CancellationReason.PAYMENT_FAILED and cancel.order_id == oid
    assert cancel.metadata.causation_id == failure.metadata.event_id
    assert cancel.metadata.correlation_id == oid
    order = client.get(f"/orders/{oid}").json()
    assert order["status"] == "CANCELLED" and order["cancellation_reason"] == "PAYMENT_FAILED"
    types = [e["event_type"] for e in client.get(f"/orders/{oid}/events").json()["events"]]
    assert sorted(types) == ["OrderCancelled", "OrderCreated", "PaymentFailed", "PaymentFailed"]
    assert not bus.dead_letters()


def test_refund_cancels_as_out_of_stock_naming_the_missing_skus(
    client: TestClient, bus: TestBus
) -> None:
    oid = place(client)
    bus.publish(
        OrderPaid(
            metadata=meta(oid, 1),
            order_id=oid,
            payment_id="pay-1",
            amount=Decimal(5),
            currency="EUR",
        )
    )
    bus.publish(
        InventoryFailed(
            metadata=meta(oid, 2), order_id=oid, missing_skus=["SKU-9"], detail="0 left"
        )
    )
    bus.drain()
    assert client.get(f"/orders/{oid}").json()["status"] == "INVENTORY_FAILED"
    bus.publish(refunded(oid))
    bus.drain()
    (cancel,) = bus.events("order_cancelled")
    assert cancel.reason is CancellationReason.OUT_OF_STOCK and "SKU-9" in cancel.detail
    order = client.get(f"/orders/{oid}").json()
    assert order["status"] == "CANCELLED" and order["missing_skus"] == ["SKU-9"]


def test_no_cancellation_for_a_delivered_order(client: TestClient, bus: TestBus) -> None:
    oid = place(client)
    cancelled = OrderCancelled(
        metadata=meta(oid, 2, "order"), order_id=oid, reason=CancellationReason.UNKNOWN, detail="x"
    )
    bus.publish(cancelled)
    bus.drain()
    bus.publish(payment_failed(oid))
    bus.drain()
    assert [e.metadata.event_id for e in bus.events("order_cancelled")] == [
        cancelled.metadata.event_id
    ]


def _h(msg: Incoming, name: str) -> str:
    return (msg.header(name) or b"").decode()


def dlq_reasons(bus: TestBus) -> list[tuple[str, str]]:
    """(topic, error class) of every dead letter."""
    return [(_h(m, "dlq.original.topic"), _h(m, "dlq.error.class")) for m in bus.dead_letters()]


def test_events_for_an_order_never_placed_are_refused_and_cancel_nothing(
    client: TestClient, bus: TestBus
) -> None:
    # Formerly these were kept and folded into a phantom order (even cancelled on a refund).  POST
    # writes the order row with its OrderCreated outbox row, so in live operation nothing can
    # precede the row: an event for an order with no row was never placed here; DLQ at once.
    oid = uuid.uuid4()
    shipped = OrderShipped(
        metadata=meta(oid, 3), order_id=oid, shipment_id="s", carrier="UPS", tracking_number="1Z"
    )
    bus.publish(shipped)
    bus.publish(refunded(oid))
    bus.drain()
    assert client.get(f"/orders/{oid}").status_code == 404
    assert bus.events("order_cancelled") == []
    assert sorted(dlq_reasons(bus)) == [
        ("order_shipped", "order_never_placed"),
        ("payment_refunded", "order_never_placed"),
    ]


def test_order_created_from_another_producer_is_recorded_and_its_events_folded(
    app: ServiceApp, bus: TestBus, client: TestClient
) -> None:
    # OrderCreated is what places an order, whoever produced it, so one with no row is recorded.
    oid = uuid.uuid4()
    created = order_created(oid, 0)
    reserved = InventoryReserved(
        metadata=meta(oid, 2),
        order_id=oid,
        reservation_id="r",
        lines=[StockLine(sku="a", quantity=1)],
    )
    shipped = OrderShipped(
        metadata=meta(oid, 3), order_id=oid, shipment_id="s", carrier="UPS", tracking_number="1Z"
    )
    bus.publish(created)
    bus.publish(created)  # redelivery: dropped by the inbox
    bus.drain()
    bus.publish(shipped)
    bus.publish(reserved)
    bus.drain()
    order = client.get(f"/orders/{oid}").json()
    assert order["status"] == "SHIPPED" and order["tracking_number"] == "1Z"
    assert order["customer_id"] == "c-1" and order["total"] == "21.00"
    timeline = client.get(f"/orders/{oid}/events").json()["events"]
    assert [e["event_type"] for e in timeline] == [
        "OrderCreated",
        "InventoryReserved",
        "OrderShipped",
    ]
    assert not bus.dead_letters()
    # the live row equals a rebuild from the events seen
    assert store.all_states(app.db)[oid] == rebuild([shipped, reserved, created])[oid]


def test_live_projection_equals_rebuild_from_the_topics(
    app: ServiceApp, bus: TestBus, client: TestClient
) -> None:
    declined, out_of_stock = place(client), place(client)
    bus.publish(payment_failed(declined))
    bus.publish(
        InventoryFailed(
            metadata=meta(out_of_stock, 2), order_id=out_of_stock, missing_skus=["S"], detail="-"
        )
    )
    bus.publish(refunded(out_of_stock))
    bus.drain()
    topics = [
        "order_created",
        "payment_failed",
        "inventory_failed",
        "payment_refunded",
        "order_cancelled",
    ]
    replayed = rebuild(e for t in topics for e in bus.events(t))
    assert replayed == store.all_states(app.db)
    assert {s.status.value for s in replayed.values()} == {"CANCELLED"}
