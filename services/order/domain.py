"""The order's state as a pure fold of its events (event sourcing), shared by the live projection
and the replay, so the two cannot diverge.

`apply(state, event)` moves the status only forward (by rank) and never out of a terminal state,
and only fills in facts, so the result does not depend on the order in which events of different
topics arrive.  `rebuild(events)` folds any mix of events into one state per order.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from collections.abc import Iterable
from decimal import Decimal

import pydantic

from services.events import (
    CancellationReason,
    Event,
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderCreated,
    OrderDelivered,
    OrderPaid,
    OrderShipped,
    PaymentFailed,
    PaymentRefunded,
)

OrderEvent = (
    OrderCreated
    | OrderPaid
    | PaymentFailed
    | InventoryReserved
    | InventoryFailed
    | PaymentRefunded
    | OrderCancelled
    | OrderShipped
    | OrderDelivered
)
ORDER_EVENT_TYPES: tuple[type[OrderEvent], ...] = (
    OrderCreated,
    OrderPaid,
    PaymentFailed,
    InventoryReserved,
    InventoryFailed,
    PaymentRefunded,
    OrderCancelled,
    OrderShipped,
    OrderDelivered,
)
ORDER_TOPICS: tuple[str, ...] = tuple(t.TOPICS[0] for t in ORDER_EVENT_TYPES)


def as_order_event(event: Event) -> OrderEvent:
    """`event` typed as one of the order's events; TypeError for any other event."""
    if not isinstance(event, ORDER_EVENT_TYPES):
        raise TypeError(f"not an order event: {type(event).__name__}")
    return event


class OrderStatus(enum.StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    RESERVED = "RESERVED"
    INVENTORY_FAILED = "INVENTORY_FAILED"
    REFUNDED = "REFUNDED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"
    DELIVERED = "DELIVERED"


TERMINAL = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})

# How far along the saga a status is; a status only ever moves to a higher rank.
RANK: dict[OrderStatus, int] = {
    OrderStatus.PENDING: 0,
    OrderStatus.PAID: 1,
    OrderStatus.PAYMENT_FAILED: 2,
    OrderStatus.RESERVED: 2,
    OrderStatus.INVENTORY_FAILED: 2,
    OrderStatus.REFUNDED: 3,
    OrderStatus.SHIPPED: 3,
    OrderStatus.CANCELLED: 9,
    OrderStatus.DELIVERED: 9,
}

STATUS_OF: dict[type[Event], OrderStatus] = {
    OrderCreated: OrderStatus.PENDING,
    OrderPaid: OrderStatus.PAID,
    PaymentFailed: OrderStatus.PAYMENT_FAILED,
    InventoryReserved: OrderStatus.RESERVED,
    InventoryFailed: OrderStatus.INVENTORY_FAILED,
    PaymentRefunded: OrderStatus.REFUNDED,
    OrderCancelled: OrderStatus.CANCELLED,
    OrderShipped: OrderStatus.SHIPPED,
    OrderDelivered: OrderStatus.DELIVERED,
}


class Line(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)

    sku: str
    quantity: int
    unit_price: Decimal


class OrderState(pydantic.BaseModel):
    """What the order service knows about one order.  Fields other than status are facts that
    events fill in; they stay None until the event carrying them was seen."""

    model_config = pydantic.ConfigDict(frozen=True)

    order_id: uuid.UUID
    status: OrderStatus = OrderStatus.PENDING
    customer_id: str | None = None
    items: tuple[Line, ...] = ()
    total: Decimal | None = None
    currency: str | None = None
    note: str | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
    payment_id: str | None = None
    decline_reason: str | None = None
    missing_skus: tuple[str, ...] = ()
    tracking_number: str | None = None
    carrier: str | None = None
    delivered_at: datetime.datetime | None = None
    cancellation_reason: str | None = None
    cancellation_detail: str | None = None
    event_ids: tuple[uuid.UUID, ...] = ()

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


def advance(current: OrderStatus, new: OrderStatus) -> OrderStatus:
    """Forward only; a terminal status never changes."""
    if current in TERMINAL:
        return current
    return new if RANK[new] > RANK[current] else current


def _facts(event: OrderEvent) -> dict[str, object]:
    """The fields of the state an event fills in."""
    if isinstance(event, OrderCreated):
        return {
            "customer_id": event.customer_id,
            "items": tuple(
                Line(sku=i.sku, quantity=i.quantity, unit_price=i.unit_price) for i in event.items
            ),
            "total": event.total,
            "currency": event.currency,
            "note": event.note,
            "created_at": event.metadata.occurred_at,
        }
    if isinstance(event, OrderPaid | PaymentRefunded):
        return {"payment_id": event.payment_id}
    if isinstance(event, PaymentFailed):
        return {"decline_reason": event.reason.value}
    if isinstance(event, InventoryFailed):
        return {"missing_skus": tuple(event.missing_skus)}
    if isinstance(event, OrderCancelled):
        return {"cancellation_reason": event.reason.value, "cancellation_detail": event.detail}
    if isinstance(event, OrderShipped):
        return {"tracking_number": event.tracking_number, "carrier": event.carrier}
    if isinstance(event, OrderDelivered):
        return {"delivered_at": event.delivered_at}
    return {}


def apply(state: OrderState | None, event: OrderEvent) -> OrderState:
    """The state after `event`; applying an event already folded in changes nothing."""
    if type(event) not in STATUS_OF:
        raise TypeError(f"not an order event: {type(event).__name__}")
    order_id = event.order_id
    meta = event.metadata
    if state is None:
        state = OrderState(order_id=order_id)
    elif state.order_id != order_id:
        raise ValueError(f"event of order {order_id} applied to order {state.order_id}")
    if meta.event_id in state.event_ids:
        return state
    updated = state.updated_at
    return state.model_copy(
        update={
            **_facts(event),
            "status": advance(state.status, STATUS_OF[type(event)]),
            "updated_at": meta.occurred_at if updated is None else max(updated, meta.occurred_at),
            "event_ids": (*state.event_ids, meta.event_id),
        }
    )


def sort_key(event: OrderEvent) -> tuple[datetime.datetime, int, str]:
    """Timeline order: when it happened, then saga order, then id (deterministic)."""
    meta = event.metadata
    return (meta.occurred_at, RANK[STATUS_OF[type(event)]], str(meta.event_id))


def rebuild(events: Iterable[OrderEvent]) -> dict[uuid.UUID, OrderState]:
    """Fold any events, of any orders, in any arrival order, into one state per order."""
    by_order: dict[uuid.UUID, list[OrderEvent]] = {}
    for event in events:
        by_order.setdefault(event.order_id, []).append(event)
    states: dict[uuid.UUID, OrderState] = {}
    for order_id, evs in by_order.items():
        state: OrderState | None = None
        for event in sorted(evs, key=sort_key):
            state = apply(state, event)
        assert state is not None
        states[order_id] = state
    return states


def summarize(event: Event) -> str:
    """One line for the order's timeline."""
    e = event
    if isinstance(e, OrderCreated):
        n = sum(i.quantity for i in e.items)
        return f"order placed by {e.customer_id}: {n} unit(s), total {e.total} {e.currency}"
    if isinstance(e, OrderPaid):
        return f"paid {e.amount} {e.currency} (payment {e.payment_id})"
    if isinstance(e, PaymentFailed):
        return f"payment declined: {e.reason.value} ({e.detail})"
    if isinstance(e, InventoryReserved):
        return f"reserved {', '.join(f'{ln.quantity} x {ln.sku}' for ln in e.lines)}"
    if isinstance(e, InventoryFailed):
        return f"out of stock: {', '.join(e.missing_skus) or '?'} ({e.detail})"
    if isinstance(e, PaymentRefunded):
        return f"refunded {e.amount} {e.currency}: {e.reason}"
    if isinstance(e, OrderCancelled):
        return f"cancelled: {e.reason.value} ({e.detail})"
    if isinstance(e, OrderShipped):
        return f"shipped with {e.carrier}, tracking {e.tracking_number}"
    if isinstance(e, OrderDelivered):
        return f"delivered at {e.delivered_at.isoformat()}"
    return type(e).__name__


def order_total(lines: Iterable[tuple[int, Decimal]]) -> Decimal:
    return sum((Decimal(q) * p for q, p in lines), Decimal("0.00")).quantize(Decimal("0.01"))


MAX_TOTAL = Decimal("999999999999.99")  # decimal(14, 2) on the wire


def decide_cancellation(
    state: OrderState | None, event: OrderEvent
) -> tuple[CancellationReason, str] | None:
    """The saga's compensation: which failure cancels the order, and why; None if it is over."""
    if state is not None and state.terminal:
        return None
    if isinstance(event, PaymentFailed):
        return CancellationReason.PAYMENT_FAILED, f"payment declined: {event.reason.value}"
    if isinstance(event, PaymentRefunded):
        skus = state.missing_skus if state is not None else ()
        if skus:
            return CancellationReason.OUT_OF_STOCK, f"out of stock: {', '.join(skus)}"
        return CancellationReason.OUT_OF_STOCK, f"out of stock; payment refunded ({event.reason})"
    return None
