"""Delivery's handler: OrderShipped -> (simulated travel) -> OrderDelivered.

The travel is a wait of at most `delivery_delay_s` (settings; 0 in tests), less whatever time the
event already spent queued (`travel_time_left`), which the runtime waits before the handler's
transaction (the subscription's `wait`), so the database is never held meanwhile. A second
OrderShipped for a delivered order (new event id) publishes nothing.

Only placed orders are delivered: group "delivery-orders" records every OrderCreated (its own
group, hence its own thread, so a retrying OrderShipped never blocks the OrderCreated that heals
it), and an OrderShipped for an order not seen yet raises UnknownOrderError: retried, then
dead-lettered as `retries_exhausted:unknown_order` if the order never appears.
"""

from __future__ import annotations

from services.delivery import store
from services.delivery.domain import remaining_delay
from services.events import OrderCreated, OrderDelivered, OrderShipped
from services.runtime.logging import get_logger
from services.runtime.unit_of_work import UnitOfWork, now_utc
from services.saga import known_orders
from services.saga.known_orders import UnknownOrderError


def remember_order(event: OrderCreated, uow: UnitOfWork) -> None:
    known_orders.remember_order(uow.conn, event.order_id)


def travel_time_left(event: OrderShipped, delay_s: float) -> float:
    """Seconds until the parcel shipped by `event` arrives (0 once it has)."""
    return remaining_delay(event.metadata.occurred_at, now_utc(), delay_s)


def deliver_order(event: OrderShipped, uow: UnitOfWork) -> None:
    log = get_logger(order_id=str(event.order_id), event_id=str(event.metadata.event_id))
    if store.is_delivered(uow.conn, event.order_id):
        log.info("order already delivered; nothing to do")
        return
    if not known_orders.is_known(uow.conn, event.order_id):
        raise UnknownOrderError(f"OrderShipped for order {event.order_id}, not placed yet")
    delivered_at = now_utc()
    store.add_delivery(uow.conn, event.order_id, event.shipment_id, delivered_at)
    uow.publish(
        OrderDelivered(
            metadata=uow.next_metadata(),
            order_id=event.order_id,
            shipment_id=event.shipment_id,
            delivered_at=delivered_at,
        )
    )
    log.info("order delivered", shipment_id=event.shipment_id)
