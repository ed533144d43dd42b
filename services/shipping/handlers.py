"""Shipping's handler: InventoryReserved -> a shipment -> OrderShipped.

One shipment per order: a second InventoryReserved for the same order (new event id) publishes
nothing; the first OrderShipped went out in the transaction that recorded the shipment.

Only placed orders ship: group "shipping-orders" records every OrderCreated (its own group, hence
its own thread, so a retrying InventoryReserved never blocks the OrderCreated that heals it), and
an InventoryReserved for an order not seen yet raises UnknownOrderError: retried, then
dead-lettered as `retries_exhausted:unknown_order` if the order never appears.
"""

from __future__ import annotations

from services.events import InventoryReserved, OrderCreated, OrderShipped
from services.runtime.logging import get_logger
from services.runtime.unit_of_work import UnitOfWork
from services.saga import known_orders
from services.saga.known_orders import UnknownOrderError
from services.shipping import store
from services.shipping.domain import create_shipment


def remember_order(event: OrderCreated, uow: UnitOfWork) -> None:
    known_orders.remember_order(uow.conn, event.order_id)


def ship_order(event: InventoryReserved, uow: UnitOfWork) -> None:
    log = get_logger(order_id=str(event.order_id), event_id=str(event.metadata.event_id))
    if store.has_shipment(uow.conn, event.order_id):
        log.info("order already shipped; nothing to do")
        return
    if not known_orders.is_known(uow.conn, event.order_id):
        raise UnknownOrderError(f"InventoryReserved for order {event.order_id}, not placed yet")
    shipment = create_shipment(event.order_id)
    store.add_shipment(uow.conn, shipment, event.reservation_id)
    uow.publish(
        OrderShipped(
            metadata=uow.next_metadata(),
            order_id=event.order_id,
            shipment_id=shipment.shipment_id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
        )
    )
    log.info("order shipped", carrier=shipment.carrier, tracking=shipment.tracking_number)
