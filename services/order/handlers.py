"""The order service's consumers: project every order event; compensate failed sagas.

Every order topic is read by the one group "order"; each event is added to the order's timeline
and folded into the order's state (see store.project).  PaymentFailed and PaymentRefunded also
cancel the order (once: the cancellations table holds one row per order).

Unknown orders: POST /orders writes the order row in the transaction that queues its OrderCreated,
so no event of a real order can reach this consumer before its row.  Any other event for an order
with no row is refused at once (OrderNeverPlacedError -> DLQ `order_never_placed`) and cancels
nothing.  An OrderCreated with no row (placed by another producer) is recorded: it is the event
that places an order.  Replay (store/domain `rebuild`) stays a pure fold of whatever is on the
topics.
"""

from __future__ import annotations

from services.events import OrderCancelled, OrderCreated
from services.order import store
from services.order.domain import OrderEvent, decide_cancellation
from services.runtime.errors import BusinessRuleError
from services.runtime.logging import get_logger
from services.runtime.unit_of_work import UnitOfWork


class OrderNeverPlacedError(BusinessRuleError):
    """An event for an order this service never placed.  It writes the order row in the
    transaction that queues OrderCreated, so no later event of a real order can precede the row."""

    error_class = "order_never_placed"


def require_placed(event: OrderEvent, uow: UnitOfWork) -> None:
    """Refuse an event (other than OrderCreated) for an order this service never placed."""
    order_id = event.order_id
    if not isinstance(event, OrderCreated) and store.load_state(uow.conn, order_id) is None:
        raise OrderNeverPlacedError(f"{type(event).__name__} for order {order_id}, never placed")


def project_event(event: OrderEvent, uow: UnitOfWork) -> None:
    require_placed(event, uow)
    state = store.project(uow.conn, event, event.TOPICS[0])
    get_logger(order_id=str(state.order_id)).info(
        "order event applied", event_type=type(event).__name__, status=state.status.value
    )


def compensate(event: OrderEvent, uow: UnitOfWork) -> None:
    """Project the failure, then cancel the order (at most once) if the saga is not over."""
    require_placed(event, uow)
    state = store.project(uow.conn, event, event.TOPICS[0])
    log = get_logger(order_id=str(state.order_id), event_type=type(event).__name__)
    decision = decide_cancellation(state, event)
    if decision is None:
        log.info("no compensation: order already ended", status=state.status.value)
        return
    reason, detail = decision
    meta = uow.next_metadata()
    if not store.claim_cancellation(uow.conn, state.order_id, meta.event_id, reason.value):
        log.info("order already cancelled by the saga")
        return
    cancelled = OrderCancelled(metadata=meta, order_id=state.order_id, reason=reason, detail=detail)
    uow.publish(cancelled)
    state = store.project(uow.conn, cancelled, OrderCancelled.TOPICS[0])
    log.info("order cancelled", reason=reason.value, detail=detail, status=state.status.value)
