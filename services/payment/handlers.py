"""Payment's handlers: OrderCreated -> charge -> OrderPaid | PaymentFailed;
InventoryFailed -> refund -> PaymentRefunded.

Duplicates: each order gets exactly one gateway decision. A second OrderCreated for an order
already charged or declined (a new event id, so the inbox lets it through) publishes nothing: the
first outcome was published in the same transaction that recorded it. A second InventoryFailed
for an already refunded charge publishes nothing either.
"""

from __future__ import annotations

from services.events import InventoryFailed, OrderCreated, OrderPaid, PaymentFailed, PaymentRefunded
from services.payment import store
from services.payment.domain import Approved, Charge, Gateway
from services.runtime.errors import BusinessRuleError
from services.runtime.logging import get_logger
from services.runtime.unit_of_work import UnitOfWork


def charge_order(event: OrderCreated, uow: UnitOfWork, gateway: Gateway) -> None:
    log = get_logger(order_id=str(event.order_id), event_id=str(event.metadata.event_id))
    if store.already_decided(uow.conn, event.order_id):
        log.info("order already charged or declined; nothing to do")
        return
    result = gateway.charge(event.order_id, event.total, event.currency, event.payment_token)
    if isinstance(result, Approved):
        charge = Charge(result.payment_id, event.order_id, event.total, event.currency)
        store.add_charge(uow.conn, charge)
        uow.publish(
            OrderPaid(
                metadata=uow.next_metadata(),
                order_id=event.order_id,
                payment_id=charge.payment_id,
                amount=charge.amount,
                currency=charge.currency,
            )
        )
        log.info("payment captured", payment_id=charge.payment_id, amount=str(charge.amount))
        return
    store.add_decline(
        uow.conn, event.order_id, event.total, event.currency, result.reason.value, result.detail
    )
    uow.publish(
        PaymentFailed(
            metadata=uow.next_metadata(),
            order_id=event.order_id,
            amount=event.total,
            currency=event.currency,
            reason=result.reason,
            detail=result.detail,
        )
    )
    log.info("payment declined", reason=result.reason.value)


def refund_order(event: InventoryFailed, uow: UnitOfWork) -> None:
    log = get_logger(order_id=str(event.order_id), event_id=str(event.metadata.event_id))
    charge = store.get_charge(uow.conn, event.order_id)
    if charge is None:
        raise BusinessRuleError(f"no captured charge to refund for order {event.order_id}")
    if not charge.refund():
        log.info("charge already refunded; nothing to do", payment_id=charge.payment_id)
        return
    store.save_status(uow.conn, charge)
    uow.publish(
        PaymentRefunded(
            metadata=uow.next_metadata(),
            order_id=event.order_id,
            payment_id=charge.payment_id,
            amount=charge.amount,
            currency=charge.currency,
            reason=f"inventory failed: {event.detail}",
        )
    )
    log.info("payment refunded", payment_id=charge.payment_id, amount=str(charge.amount))
