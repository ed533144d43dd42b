"""Inventory's handlers.

OrderCreated  -> remember the order's lines (OrderPaid does not carry them).
OrderPaid     -> reserve every line or none -> InventoryReserved | InventoryFailed.
OrderCancelled -> give a held reservation back to stock, once.

OrderCreated is consumed in its own consumer group ("inventory-orders"), hence on its own thread:
an OrderPaid or OrderCancelled that overtakes its OrderCreated raises UnknownOrderError and is
retried with backoff (then dead-lettered as `retries_exhausted:unknown_order` if the order never
appears), and the lines can still arrive meanwhile (in one group, the retry would block the very
consumer that has to read them).  Each order is reserved at most once: a second OrderPaid with a
new event id publishes nothing (the first outcome went out in the transaction that recorded it).
"""

from __future__ import annotations

from pathlib import Path

from services.events import (
    InventoryFailed,
    InventoryReserved,
    OrderCancelled,
    OrderCreated,
    OrderPaid,
    StockLine,
)
from services.inventory import domain, store
from services.runtime.logging import get_logger
from services.runtime.store import Database
from services.runtime.unit_of_work import UnitOfWork
from services.saga.known_orders import UnknownOrderError


def remember_order(event: OrderCreated, uow: UnitOfWork) -> None:
    lines = [(line.sku, line.quantity) for line in event.items]
    store.save_order_lines(uow.conn, event.order_id, lines)


def reserve_stock(event: OrderPaid, uow: UnitOfWork) -> None:
    log = get_logger(order_id=str(event.order_id), event_id=str(event.metadata.event_id))
    if store.get_reservation(uow.conn, event.order_id) is not None:
        log.info("order already reserved or refused; nothing to do")
        return
    lines = store.order_lines(uow.conn, event.order_id)
    if lines is None:
        raise UnknownOrderError(f"order lines not seen yet for order {event.order_id}")
    stock = store.stock_levels(uow.conn, {sku for sku, _ in lines})
    res = domain.reserve(event.order_id, lines, stock)
    detail = domain.shortfall_detail(res.shortfalls)
    store.add_reservation(uow.conn, res, detail)
    if res.status == domain.RESERVED:
        uow.publish(
            InventoryReserved(
                metadata=uow.next_metadata(),
                order_id=event.order_id,
                reservation_id=res.reservation_id,
                lines=[StockLine(sku=s, quantity=q) for s, q in sorted(res.lines.items())],
            )
        )
        log.info("stock reserved", reservation_id=res.reservation_id)
        return
    uow.publish(
        InventoryFailed(
            metadata=uow.next_metadata(),
            order_id=event.order_id,
            missing_skus=[s.sku for s in res.shortfalls],
            detail=detail,
        )
    )
    log.info("stock short", detail=detail)


def release_stock(event: OrderCancelled, uow: UnitOfWork) -> None:
    log = get_logger(order_id=str(event.order_id), event_id=str(event.metadata.event_id))
    res = store.get_reservation(uow.conn, event.order_id)
    if res is None and store.order_lines(uow.conn, event.order_id) is None:
        raise UnknownOrderError(f"OrderCancelled for order {event.order_id}, not placed yet")
    if res is None:
        log.info("cancelled order holds no reservation")
        return
    give_back = res.release()
    if not give_back:
        log.info("reservation not held; nothing to release", status=res.status)
        return
    store.release(uow.conn, res, give_back)
    log.info("reservation released", reservation_id=res.reservation_id, lines=give_back)


def seed_stock(db: Database, path: Path) -> None:
    """Add the SKUs of the seed file that the stock table does not have yet."""
    seed = store.load_seed_file(path)
    with db.transaction() as conn:
        added = store.seed_missing(conn, seed)
    get_logger().info("stock seeded", file=str(path), skus=len(seed), added=added)
